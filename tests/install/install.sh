#!/bin/sh
# install.sh [BUILDDIR] — usim installed the two ways users and packagers
# install it, and the out-of-tree example of models/examples/ built
# against each install with nothing but its usim.pc.
#
#  1. configure --prefix=P, make install: the example's Makefile, with
#     pkg-config seeing only P's usim.pc, builds bank.so and bank_main;
#     P's usim-batch runs the plugin and every point's mean wait lies in
#     its 95 % confidence interval around the Erlang C value; the build
#     tree's usim-batch (BUILDDIR, default build/) gives the same scalars
#     bit for bit; bank_main runs without LD_LIBRARY_PATH (usim.pc's
#     rpath) against P's libusim and its interval holds the theory too.
#  2. configure --prefix=F, make install DESTDIR=S (a packager's staging):
#     the staged usim.pc names F, not S; with PKG_CONFIG_SYSROOT_DIR=S
#     (how cross and package builds use a stage) it gives S's include and
#     lib directories and an rpath to F (not S); `pkg-config --define-prefix`
#     relocates it to S; a prefix given to make instead of configure
#     (make install prefix=...) is what usim.pc says.  The example is
#     built against the stage, the stage is moved to F (the package is
#     installed) and both programs run there as in 1.
#
# Slow (two full builds): scripts/test runs it, make check does not.
# Prints "install.sh: N passed, N failed"; exit 0 only if all passed.
top_srcdir=$(cd "$(dirname "$0")/../.." && pwd)
builddir=$(cd "${1:-$top_srcdir/build}" 2>/dev/null && pwd) || {
    echo "install.sh: no build directory ${1:-$top_srcdir/build} (run scripts/setup)"
    exit 99
}
test_name=install.sh
. "$top_srcdir/tests/batch/testlib.sh"
need "$top_srcdir/configure" "$builddir/usim-batch"
jobs=$(nproc 2>/dev/null || echo 2)
[ "$jobs" -le 2 ] || jobs=2

# Erlang C mean waits in line of models/examples/bank.cfg's three points
# (c tellers, lambda = 0.8 c, mu = 1; see bank.c for the formula):
#   c = 1: rho / (mu - lambda) = 0.8 / 0.2 = 4;
#   c = 2: a = 1.6, P_wait = (1.28 / 0.2) / (1 + 1.6 + 6.4) = 0.711111,
#          W_q = 0.711111 / 0.4 = 1.777778;
#   c = 3: a = 2.4, P_wait = 11.52 / (6.28 + 11.52) = 0.647191,
#          W_q = 0.647191 / 0.6 = 1.078652 (also bank_main's).
theory="4 1.777778 1.078652"

# build NAME CONFIGURE-ARGS...: configure and make in $tmp/NAME.
build() {
    name=$1
    shift
    mkdir "$tmp/$name" &&
        (cd "$tmp/$name" && "$top_srcdir/configure" -q "$@" >configure.log 2>&1 &&
            make -j"$jobs" >make.log 2>&1)
}

# scalar_rows FILE NAME: "run value" per run of scalar NAME.
scalar_rows() {
    h5dump -d scalars "$1" 2>/dev/null | tr -s ' \n' ' ' |
        grep -o "{ [0-9]*, \"$2\", [0-9.e+-]* }" | tr -d '{},"' |
        awk -v n="$2" '$2 == n { print $1, $3 }'
}

# build_example LABEL PCDIR: build the example with only PCDIR's
# usim.pc visible to pkg-config (after the caller's PKG_CONFIG_SYSROOT_DIR),
# into $tmp/LABEL.
build_example() {
    label=$1 pcdir=$2
    cp -R "$top_srcdir/models/examples" "$tmp/$label"
    if env PKG_CONFIG_PATH="$pcdir" PKG_CONFIG_LIBDIR="$pcdir" \
        make -C "$tmp/$label" >"$tmp/$label/make.log" 2>&1; then ok; else
        ko "$label: building the example: $(tail -5 "$tmp/$label/make.log")"
    fi
}

# run_example LABEL PREFIX: the installed usim-batch on the plugin, the
# build tree's on the same files, and bank_main, from PREFIX.
run_example() {
    label=$1 prefix=$2 dir=$tmp/$1
    if (cd "$dir" && env -u LD_LIBRARY_PATH "$prefix/bin/usim-batch" -q bank.cfg \
        >batch.log 2>&1); then ok; else
        ko "$label: $prefix/bin/usim-batch bank.cfg: $(tail -5 "$dir/batch.log")"
    fi
    scalar_rows "$dir/bank.h5" mean_wait >"$dir/waits"
    # Per point (8 replications, runs 8p..8p+7): mean, 95 % half-width
    # with t(0.975, 7) = 2.3646, and whether the theory lies within.
    verdict=$(awk -v theory="$theory" '
        BEGIN { split(theory, w, " ") }
        { p = int($1 / 8); n[p]++; s[p] += $2; ss[p] += $2 * $2 }
        END {
            if (length(n) != 3) { print "points: " length(n); exit }
            for (p = 0; p < 3; p++) {
                m = s[p] / n[p]; sd = sqrt((ss[p] - n[p] * m * m) / (n[p] - 1))
                h = 2.3646 * sd / sqrt(n[p]); d = m - w[p + 1]
                if (n[p] != 8 || d > h || -d > h)
                    printf "point %d: mean %g +- %g, theory %g; ", p, m, h, w[p + 1]
            }
        }' "$dir/waits")
    if [ -z "$verdict" ]; then ok; else ko "$label: mean waits: $verdict"; fi
    scalar_rows "$dir/bank.h5" erlang_c_wait | awk -v theory="$theory" '
        BEGIN { split(theory, w, " ") }
        { d = $2 - w[int($1 / 8) + 1]; if (d > 1e-5 || -d > 1e-5) bad++; n++ }
        END { exit !(n == 24 && bad == 0) }' && ok ||
        ko "$label: erlang_c_wait scalars differ from $theory"
    # The same runs by the build tree's usim-batch: the same numbers.
    if (cd "$dir" && "$builddir/usim-batch" -q -o tree.h5 bank.cfg >tree.log 2>&1) &&
        scalar_rows "$dir/tree.h5" mean_wait | cmp -s - "$dir/waits"; then ok; else
        ko "$label: the build tree's usim-batch gives other mean waits: $(tail -3 "$dir/tree.log")"
    fi
    # bank_main: no LD_LIBRARY_PATH, and the libusim it loads is PREFIX's.
    lib=$(env -u LD_LIBRARY_PATH ldd "$dir/bank_main" | awk '/libusim/ { print $3 }')
    case $lib in
    "$prefix"/lib/*) ok ;;
    *) ko "$label: bank_main loads libusim from '$lib', not $prefix/lib" ;;
    esac
    if out=$(env -u LD_LIBRARY_PATH "$dir/bank_main" 2>&1); then ok; else
        ko "$label: bank_main: $out"
    fi
    echo "$out" | awk '
        $1 == "mean_wait" && $3 == "ci95" && $5 == "erlang_c" {
            d = $2 - 1.078652; found = 1
            exit !((d <= $4 && -d <= $4) && $6 == "1.07865")
        }
        END { if (!found) exit 1 }' && ok ||
        ko "$label: bank_main: theory 1.078652 not within: $out"
    for page in usim-batch usim-merge usim-submit usim-report; do
        [ -f "$prefix/share/man/man1/$page.1" ] && ok || ko "$label: no man page $page.1"
    done
    check_python "$label" "$prefix"
}

# check_python LABEL PREFIX: the usim_results package is installed where
# /usr/bin/python3 imports it for PREFIX (PREFIX/lib/python3.X/dist-packages,
# on its path for /usr and /usr/local), and PREFIX's usim-analyze and
# usim-report use that copy, not the source tree's.  No byte code is
# written (it would carry the path it was compiled at).
check_python() {
    label=$1 prefix=$2
    if ! "$py" -c 'import h5py, numpy, pandas' 2>/dev/null; then
        echo "install.sh: $label: $py lacks h5py, numpy or pandas: no Python checks"
        return
    fi
    site=$prefix/lib/python$("$py" -c 'import sys; print("%d.%d" % sys.version_info[:2])')/dist-packages
    got=$(cd / && env -u PYTHONPATH PYTHONDONTWRITEBYTECODE=1 "$py" -c "
import sys
sys.path.insert(0, '$site')
import usim_results
print(usim_results.__file__, round(usim_results.t_quantile(0.975, 10), 7))" 2>&1)
    [ "$got" = "$site/usim_results/__init__.py 2.2281389" ] && ok ||
        ko "$label: usim_results from $site: $got"
    for tool in usim-analyze usim-report; do
        got=$(cd / && env -u PYTHONPATH PYTHONDONTWRITEBYTECODE=1 "$py" -c "
from importlib.machinery import SourceFileLoader
import sys
SourceFileLoader('tool', '$prefix/bin/$tool').load_module()
print(sys.modules['usim_results'].__file__)" 2>&1)
        [ "$got" = "$site/usim_results/__init__.py" ] && ok ||
            ko "$label: $prefix/bin/$tool imports usim_results from '$got', not $site"
    done
    printf '%s\n' 'model = "mm1"; until = 100.0; replications = 2;' \
        'parameters: { arrival_rate = [0.5, 0.7]; };' >"$tmp/$label/mm1.cfg"
    if (cd / && env -u PYTHONPATH PYTHONDONTWRITEBYTECODE=1 sh -c \
        '"$1/bin/usim-batch" -q -o "$2/mm1.h5" "$2/mm1.cfg" &&
         "$1/bin/usim-report" --no-plots "$2/mm1.h5"' sh "$prefix" "$tmp/$label" \
        >"$tmp/$label/report.log" 2>&1) &&
        grep -q "^point 1: arrival_rate = 0.7" "$tmp/$label/report.log"; then ok; else
        ko "$label: $prefix/bin/usim-report mm1.h5: $(head -5 "$tmp/$label/report.log")"
    fi
}

# ---- 1. configure --prefix, make install ----------------------------------
p=$tmp/p
if build b1 --prefix="$p" && make -C "$tmp/b1" install >"$tmp/b1/install.log" 2>&1; then
    ok
    version=$(env PKG_CONFIG_PATH="$p/lib/pkgconfig" PKG_CONFIG_LIBDIR="$p/lib/pkgconfig" \
        pkg-config --modversion usim)
    [ "$version" = "$(sed -n 's/^Version: //p' "$builddir/usim.pc")" ] && ok ||
        ko "prefix: pkg-config --modversion usim: '$version'"
    build_example prefix "$p/lib/pkgconfig"
    run_example prefix "$p"
else
    ko "prefix: configure/make/make install: $(tail -5 "$tmp"/b1/*.log)"
fi

# ---- 2. make install DESTDIR=stage ----------------------------------------
f=$tmp/final s=$tmp/stage
if build b2 --prefix="$f" && make -C "$tmp/b2" install DESTDIR="$s" \
    >"$tmp/b2/install.log" 2>&1; then
    ok
    [ ! -e "$f" ] && ok || ko "DESTDIR: something was installed into $f itself"
    pc=$s$f/lib/pkgconfig
    pcq() { env PKG_CONFIG_PATH="$pc" PKG_CONFIG_LIBDIR="$pc" "$@"; }
    got=$(pcq pkg-config --variable=prefix usim)
    [ "$got" = "$f" ] && ok || ko "DESTDIR: staged usim.pc: prefix '$got', expected $f"
    if grep -rlF "$s" "$s" >"$tmp/leaks" 2>/dev/null; then
        ko "DESTDIR: the stage's path is inside: $(tr '\n' ' ' <"$tmp/leaks")"
    else ok; fi
    got=$(pcq env PKG_CONFIG_SYSROOT_DIR="$s" pkg-config --cflags --libs usim)
    case " $got " in
    *" -I$s$f/include "*" -L$s$f/lib -Wl,-rpath,$f/lib -lusim "*) ok ;;
    *) ko "DESTDIR: with PKG_CONFIG_SYSROOT_DIR: '$got'" ;;
    esac
    got=$(pcq pkg-config --define-prefix --variable=libdir usim)
    [ "$got" = "$s$f/lib" ] && ok || ko "DESTDIR: --define-prefix: libdir '$got'"
    # A prefix given to make: usim.pc follows it (and DESTDIR stays out).
    make -C "$tmp/b2" install-pkgconfigDATA DESTDIR="$tmp/stage2" prefix="$tmp/other" \
        >/dev/null 2>&1
    got=$(sed -n 's/^prefix=//p' "$tmp/stage2$tmp/other/lib/pkgconfig/usim.pc" 2>&1)
    [ "$got" = "$tmp/other" ] && ok || ko "make install prefix=...: usim.pc prefix '$got'"
    # The packager's build against the stage, then the package installed.
    PKG_CONFIG_SYSROOT_DIR=$s
    export PKG_CONFIG_SYSROOT_DIR
    build_example destdir "$pc"
    unset PKG_CONFIG_SYSROOT_DIR
    mv "$s$f" "$f"
    run_example destdir "$f"
else
    ko "DESTDIR: configure/make/make install: $(tail -5 "$tmp"/b2/*.log)"
fi

report
