#!/bin/sh
# instr.sh — callgrind instruction counts, the noise-free figures of the
# benchmarks (sourced by the *.sh benchmarks that report them).
#
#   instr_total DIR COMMAND...  runs COMMAND under callgrind (following
#                               usim-batch's supervised child) and prints
#                               the instructions of all its processes
#   instr_incl DIR FUNC         the inclusive instructions of FUNC (named
#                               at the end of a line or before a space) in the
#                               largest profile of DIR's last instr_total
# Without valgrind, instr_total prints nothing and returns 1.
instr_total() {
    dir=$1
    shift
    command -v valgrind >/dev/null 2>&1 || return 1
    rm -f "$dir"/cg.*
    valgrind --tool=callgrind --callgrind-out-file="$dir/cg.%p" "$@" \
        >/dev/null 2>"$dir/cg.log" || return 1
    sed -n 's/.*I *refs: *//p' "$dir/cg.log" | tr -d , |
        awk '{ s += $1 } END { if (NR) printf "%d\n", s }'
}

instr_incl() {
    big=$(ls -S "$1"/cg.* | head -n 1)
    callgrind_annotate --inclusive=yes "$big" 2>/dev/null |
        awk -v f=":$2" '$0 !~ /=>/ && (index($0, f " ") || substr($0, length($0) - length(f) + 1) == f) {
            gsub(",", "", $1); print $1; exit }'
}
