# shellcheck shell=bash
# slurmlib.sh — a real single-node SLURM cluster for tests, without systemd
# and without anything under /etc: munged, slurmctld and slurmd run as root,
# in the foreground (backgrounded by this shell), with every file they use
# under one directory.  A bash test sources this file, then
#   slurm_skip_reason     prints why no cluster can run here (not root,
#                         slurm-wlm or munge not installed), or nothing;
#   slurm_start DIR [KEY=VALUE...]
#                         creates DIR/{munge,etc,state,spool,log,run}, a munge
#                         key and DIR/etc/slurm.conf, starts the three daemons
#                         and waits (up to $slurm_start_timeout, 30 s) until
#                         the node is idle.  Each KEY=VALUE replaces the line
#                         of that key in slurm.conf (KEY= removes it), or is
#                         added.  Exports SLURM_CONF, so sbatch, squeue,
#                         scancel, scontrol and sinfo talk to this cluster
#                         (munge is reached through the AuthInfo line of
#                         slurm.conf).  On failure it prints the tail of the
#                         logs, stops what it started and returns 1.  Run it
#                         in the test's own shell, not in $(...) or a pipe:
#                         the daemons are this shell's children;
#   slurm_stop            cancels the jobs, stops the daemons and every process
#                         they left (slurmstepd, the jobs' own processes), by
#                         PID: TERM, up to 5 s, then KILL.  Returns 1 if one
#                         survived KILL.  Does nothing when no cluster runs, so
#                         it can be called twice and from an EXIT trap:
#                             trap 'slurm_stop; rm -rf "$tmp"' EXIT
#                             trap 'exit 130' INT TERM
#   slurm_wait_job ID [SECONDS]
#                         waits until job ID (all its tasks, for an array; or
#                         a comma-separated list) has left the queue: squeue
#                         lists nothing for it (a job id the controller does
#                         not know counts as gone).  Returns 1 after SECONDS
#                         (default 60);
#   slurm_pids            prints the PIDs of the cluster's processes: the
#                         daemons, the slurmstepd of running jobs, the jobs'.
# After slurm_start: $slurm_dir, $slurm_node (the node's name, `hostname -s`),
# $slurm_ctld_port, $slurm_d_port, $slurm_munge_socket, $slurm_logs (the log
# directory: munged.log, slurmctld.log, slurmd.log, and the daemons' stderr
# in *.out).  Finished jobs stay in `scontrol show job` for MinJobAge (300)
# seconds; there is no accounting, so sacct does not work.  `sbatch --wait`
# polls the controller after 2 s, 10 s, 42 s, then every 32 s (its sleep
# grows fourfold while it is under MinJobAge/2 and 32 s): a job of up to 2 s
# takes 2 s, one of 3 s takes 10 s; slurm_wait_job polls every 0.2 s.
#
# Everything the daemons start carries USIM_SLURMLIB_TAG=<cluster> in its
# initial environment (slurmstepd inherits slurmd's); the jobs' processes
# carry this cluster's SLURM_CONF and a SLURM_JOB_ID: that is how slurm_stop
# finds what the daemons left, which slurmd does not stop by itself.

slurm_dir=
slurm_node=
slurm_ctld_port=
slurm_d_port=
slurm_munge_socket=
slurm_logs=
slurm_start_timeout=${slurm_start_timeout:-30}
_slurm_tag=
_slurm_conf=
_slurm_munged_pid=
_slurm_ctld_pid=
_slurm_d_pid=
_slurm_since=0
_slurm_ended=

_slurm_say() { printf 'slurmlib: %s\n' "$*" >&2; }

slurm_skip_reason() {
    local c missing=
    if [ "$(id -u)" -ne 0 ]; then
        echo "not root (slurmd and munged run as root)"
        return 0
    fi
    for c in slurmctld slurmd munged sbatch squeue scontrol scancel sinfo; do
        command -v "$c" >/dev/null 2>&1 || missing="$missing $c"
    done
    [ -z "$missing" ] ||
        echo "missing commands:$missing (apt-get install slurm-wlm munge, or scripts/setup)"
    return 0
}

# _slurm_port_free PORT: no TCP socket (any state, IPv4 or IPv6) uses PORT.
_slurm_port_free() {
    local hex
    hex=$(printf '%04X' "$1")
    ! awk -v p=":$hex" 'FNR > 1 && substr($2, length($2) - 4) == p { f = 1 }
        END { exit !f }' /proc/net/tcp /proc/net/tcp6 2>/dev/null
}

# _slurm_listens PID PORT: process PID has a TCP socket listening on PORT.
_slurm_listens() {
    local inodes fd l i
    inodes=$(awk -v p=":$(printf '%04X' "$2")" 'FNR > 1 && $4 == "0A" &&
        substr($2, length($2) - 4) == p { print $10 }' /proc/net/tcp /proc/net/tcp6 2>/dev/null)
    [ -n "$inodes" ] || return 1
    for fd in /proc/"$1"/fd/*; do
        l=$(readlink "$fd" 2>/dev/null) || continue
        case $l in socket:*) ;; *) continue ;; esac
        for i in $inodes; do [ "$l" = "socket:[$i]" ] && return 0; done
    done
    return 1
}

# _slurm_pick_ports: sets slurm_ctld_port and slurm_d_port to two adjacent
# free ports of 10000-32767 (below Linux's ephemeral range), chosen at
# random so that clusters of tests run in parallel do not collide.
_slurm_pick_ports() {
    local p
    for _ in $(seq 50); do
        p=$((10000 + (RANDOM * 32768 + RANDOM) % 22766))
        if _slurm_port_free "$p" && _slurm_port_free $((p + 1)); then
            slurm_ctld_port=$p
            slurm_d_port=$((p + 1))
            return 0
        fi
    done
    _slurm_say "no two free adjacent ports found in 10000-32767"
    return 1
}

# _slurm_spawn LOG PROGRAM ARGS...: starts PROGRAM in the background with the
# cluster's tag, stdin from /dev/null, stdout and stderr appended to LOG and
# no other descriptor of this shell (a pipe held open by a daemon would keep
# whoever reads the test's output waiting).  $! is PROGRAM's PID.
_slurm_spawn() {
    local log=$1
    shift
    (
        for fd in /proc/"$BASHPID"/fd/*; do
            fd=${fd##*/}
            [ "$fd" -gt 2 ] 2>/dev/null && eval "exec $fd>&-"
        done
        exec env USIM_SLURMLIB_TAG="$_slurm_tag" "$@"
    ) </dev/null >>"$log" 2>&1 &
}

# _slurm_alive PID: PID runs (a zombie does not count).
_slurm_alive() {
    local st
    [ -n "$1" ] && [ -r "/proc/$1/stat" ] || return 1
    st=$(sed 's/.*) \(.\).*/\1/' "/proc/$1/stat" 2>/dev/null) || return 1
    [ -n "$st" ] && [ "$st" != Z ] && [ "$st" != X ]
}

# _slurm_ours PID: PID runs and was started by this cluster (tag in its
# initial environment) or is a process of one of its jobs.  Guards against
# signalling a recycled PID.
_slurm_ours() {
    _slurm_alive "$1" || return 1
    grep -qzxF "USIM_SLURMLIB_TAG=$_slurm_tag" "/proc/$1/environ" 2>/dev/null ||
        { grep -qzxF "SLURM_CONF=$_slurm_conf" "/proc/$1/environ" 2>/dev/null &&
            grep -qz '^SLURM_JOB_ID=' "/proc/$1/environ" 2>/dev/null; }
}

# _slurm_kill GRACE PID...: sends TERM to those PIDs that are ours, waits
# up to GRACE tenths of a second, then KILLs what still runs; reaps those
# that are this shell's children.  Returns 1 if one survives KILL.
_slurm_kill() {
    local grace=$1 p left=''
    shift
    for p in "$@"; do
        _slurm_ours "$p" && kill -TERM "$p" 2>/dev/null && left="$left $p"
    done
    _slurm_ended="$_slurm_ended$left"
    for _ in $(seq "$grace"); do
        p=''
        for p in $left; do _slurm_alive "$p" && break || p=''; done
        [ -z "$p" ] && break
        sleep 0.1
    done
    for p in $left; do
        if _slurm_alive "$p"; then
            _slurm_say "PID $p ($(tr '\0' ' ' <"/proc/$p/cmdline" 2>/dev/null)) still runs after TERM: KILL"
            kill -KILL "$p" 2>/dev/null
        fi
    done
    # wait knows only this shell's children; for the others it fails at once.
    for p in $left; do wait "$p" 2>/dev/null || :; done
    for p in $left; do
        for _ in 1 2 3 4 5 6 7 8 9 10; do _slurm_alive "$p" || break; sleep 0.1; done
        if _slurm_alive "$p"; then
            _slurm_say "PID $p survived KILL"
            return 1
        fi
    done
    return 0
}

# _slurm_leftovers: PIDs of the processes this cluster's daemons started
# (slurmstepd, slurmscriptd), of its jobs, and of their descendants; not
# the daemons themselves, this shell or its ancestors.  A job's processes
# are those with this SLURM_CONF and a SLURM_JOB_ID in another session than
# ours (slurmstepd starts each job in a session of its own; the commands
# this shell runs have that SLURM_CONF too, and a SLURM_JOB_ID if the test
# itself runs in a job).
_slurm_leftovers() {
    local tagged jobs
    tagged=$(grep -lzxF "USIM_SLURMLIB_TAG=$_slurm_tag" /proc/[0-9]*/environ 2>/dev/null)
    jobs=$(grep -lzxF "SLURM_CONF=$_slurm_conf" /proc/[0-9]*/environ 2>/dev/null |
        xargs -r grep -lz '^SLURM_JOB_ID=' 2>/dev/null)
    [ -n "$tagged$jobs" ] || return 0
    ps -e -o pid=,ppid=,sid= | awk -v self="$BASHPID" \
        -v tagged="$(echo "$tagged" | tr -c '0-9' ' ')" \
        -v jobs="$(echo "$jobs" | tr -c '0-9' ' ')" \
        -v skip="$_slurm_munged_pid $_slurm_ctld_pid $_slurm_d_pid" '
        { parent[$1] = $2; sid[$1] = $3; pids[NR] = $1 }
        END {
            n = split(tagged, r, " ")
            for (i = 1; i <= n; i++) keep[r[i]] = 1
            n = split(jobs, r, " ")
            for (i = 1; i <= n; i++)
                if (r[i] in sid && sid[r[i]] != sid[self]) keep[r[i]] = 1
            # Descendants: a process with a kept ancestor is kept.
            for (i in pids) {
                p = pids[i]
                for (q = parent[p]; q > 1 && (q in parent); q = parent[q])
                    if (q in keep) { keep[p] = 1; break }
            }
            for (q = self; q > 1 && (q in parent); q = parent[q]) delete keep[q]
            n = split(skip, s, " ")
            for (i = 1; i <= n; i++) delete keep[s[i]]
            for (p in keep) if (p in parent) print p
        }'
}

# _slurm_reaped: waits up to 3 s until the processes slurm_stop ended, and
# the zombies of every slurmstepd that started after munged, are gone from
# /proc.  A dead process stays a zombie until its parent reaps it, and
# slurmstepd's parent is init (or a subreaper), which may take its time
# (seconds, in some containers and microVMs); `pgrep slurmstepd` lists
# zombies too.
_slurm_reaped() {
    local p left st rest f
    for _ in $(seq 30); do
        left=
        for p in $_slurm_ended; do [ -e "/proc/$p" ] && left="$left $p"; done
        for st in /proc/[0-9]*/stat; do
            # "PID (slurmstepd) Z ..." with field 22, the start time (clock
            # ticks since boot), not before munged's.
            read -r p rest 2>/dev/null <"$st" || continue
            case $rest in "(slurmstepd) Z "*) ;; *) continue ;; esac
            read -r -a f <<<"${rest#"(slurmstepd) "}"
            # f[0] is field 3, the state.
            [ "${f[19]:-0}" -ge "$_slurm_since" ] && left="$left $p"
        done
        [ -z "$left" ] && return 0
        sleep 0.1
    done
    _slurm_say "not reaped after 3 s (zombies of init?):$left"
    return 0
}

# _slurm_logs_tail: the last lines of each daemon's log, for a failure;
# the daemon's stderr instead when its log is empty (an error in slurm.conf
# is reported before the log file is opened).
_slurm_logs_tail() {
    local d f
    for d in munged slurmctld slurmd; do
        f=$slurm_logs/$d.log
        [ -s "$f" ] || f=$slurm_logs/$d.out
        [ -s "$f" ] || continue
        echo "--- tail of $f"
        tail -n 15 "$f"
    done >&2
}

# _slurm_node_state: the node's state as sinfo prints it (idle, idle*,
# down*, unknown...), empty if the controller does not answer.
_slurm_node_state() {
    sinfo -h -N -n "$slurm_node" -o %T 2>/dev/null | head -n 1
}

# _slurm_write_conf [KEY=VALUE...]: DIR/etc/slurm.conf for the chosen ports,
# with the lines of the KEYs (case does not matter) replaced by KEY=VALUE,
# or removed if VALUE is empty.
_slurm_write_conf() {
    local conf=$_slurm_conf kv key cpus mem
    cpus=$(nproc 2>/dev/null || echo 1)
    # RealMemory must not exceed what slurmd finds, or the node drains.
    mem=$(awk '/^MemTotal:/ { m = int($2 / 2048); print (m < 1000 ? m : 1000) }' /proc/meminfo)
    cat >"$conf.new" <<EOF
# Generated by tests/cluster/slurmlib.sh: a single-node test cluster.
ClusterName=usimtest
SlurmctldHost=$slurm_node(127.0.0.1)
SlurmctldPort=$slurm_ctld_port
SlurmdPort=$slurm_d_port
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
CredType=cred/munge
AuthInfo=socket=$slurm_munge_socket
StateSaveLocation=$slurm_dir/state
SlurmdSpoolDir=$slurm_dir/spool
SlurmctldPidFile=$slurm_dir/run/slurmctld.pid
SlurmdPidFile=$slurm_dir/run/slurmd.pid
SlurmctldLogFile=$slurm_logs/slurmctld.log
SlurmdLogFile=$slurm_logs/slurmd.log
SlurmctldDebug=info
SlurmdDebug=info
PlugStackConfig=$slurm_dir/etc/plugstack.conf
MailProg=/bin/true
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
SelectType=select/cons_tres
SelectTypeParameters=CR_Core
AccountingStorageType=accounting_storage/none
JobAcctGatherType=jobacct_gather/none
JobCompType=jobcomp/none
MpiDefault=none
ReturnToService=2
SchedulerType=sched/backfill
SchedulerParameters=bf_interval=1
MinJobAge=300
KillWait=2
InactiveLimit=0
MessageTimeout=10
MaxArraySize=10001
NodeName=$slurm_node NodeAddr=127.0.0.1 NodeHostname=$slurm_node CPUs=$cpus RealMemory=$mem State=UNKNOWN
PartitionName=debug Nodes=ALL Default=YES MaxTime=INFINITE State=UP OverSubscribe=NO
EOF
    for kv in "$@"; do
        key=${kv%%=*}
        grep -v -i "^$key=" "$conf.new" >"$conf.tmp"
        [ -z "${kv#*=}" ] || echo "$kv" >>"$conf.tmp"
        mv "$conf.tmp" "$conf.new"
    done
    mv "$conf.new" "$conf"
}

# _slurm_start_daemons: slurmctld and slurmd, then the wait for an idle
# node.  Returns 2 if a daemon could not bind its port (try other ports),
# 1 on another failure, with the daemons it started stopped.
_slurm_start_daemons() {
    local st='' t0=$SECONDS logs
    logs=("$slurm_logs"/slurmctld.log "$slurm_logs"/slurmctld.out
        "$slurm_logs"/slurmd.log "$slurm_logs"/slurmd.out)
    _slurm_spawn "$slurm_logs/slurmctld.out" slurmctld -D -f "$_slurm_conf"
    _slurm_ctld_pid=$!
    _slurm_spawn "$slurm_logs/slurmd.out" slurmd -D -N "$slurm_node" -f "$_slurm_conf"
    _slurm_d_pid=$!
    while [ $((SECONDS - t0)) -lt "$slurm_start_timeout" ]; do
        # A daemon that cannot bind its port exits (slurmctld) or retries
        # (slurmd): either way, other ports.
        grep -qs 'Address already in use' "${logs[@]}" && break
        if ! _slurm_alive "$_slurm_ctld_pid" || ! _slurm_alive "$_slurm_d_pid"; then
            sleep 0.2 # let the survivor log why it is alone
            break
        fi
        # sinfo only once slurmctld listens: a client that finds another
        # program on the port waits MessageTimeout (10 s) for an answer.
        if _slurm_listens "$_slurm_ctld_pid" "$slurm_ctld_port"; then
            st=$(_slurm_node_state)
            [ "$st" = idle ] && return 0
        fi
        sleep 0.1
    done
    # Nothing to save: no long grace (slurmd that has not registered yet
    # takes seconds to act on SIGTERM).
    _slurm_ended="$_slurm_ended $(_slurm_leftovers)"
    _slurm_kill 10 "$_slurm_d_pid" "$_slurm_ctld_pid"
    _slurm_d_pid='' _slurm_ctld_pid=''
    grep -qs 'Address already in use' "${logs[@]}" && return 2
    _slurm_say "node $slurm_node not idle after $((SECONDS - t0)) s (state: ${st:-no answer})"
    return 1
}

slurm_start() {
    local dir=${1:-} try rc f
    [ $# -gt 0 ] && shift
    if [ -z "$dir" ]; then
        _slurm_say "usage: slurm_start DIR [KEY=VALUE...]"
        return 1
    fi
    if [ -n "$_slurm_tag" ]; then
        _slurm_say "a cluster already runs (in $slurm_dir): slurm_stop first"
        return 1
    fi
    if [ -n "$(slurm_skip_reason)" ]; then
        _slurm_say "cannot run a cluster: $(slurm_skip_reason)"
        return 1
    fi
    mkdir -p "$dir" && slurm_dir=$(cd "$dir" && pwd) || return 1
    slurm_node=$(hostname -s 2>/dev/null)
    slurm_node=${slurm_node:-localhost}
    slurm_logs=$slurm_dir/log
    slurm_munge_socket=$slurm_dir/munge/run/munge.socket
    _slurm_conf=$slurm_dir/etc/slurm.conf
    export SLURM_CONF=$_slurm_conf
    # munged wants its key private (0600, owned by us) and its socket's
    # directory reachable by all (0755); it also wants every directory above
    # the socket searchable by all, which a mktemp -d (0700) is not: --force
    # turns that check into a warning.
    mkdir -p "$slurm_dir/munge/run" "$slurm_dir/etc" "$slurm_dir/state" \
        "$slurm_dir/spool" "$slurm_logs" "$slurm_dir/run" || return 1
    chmod 0700 "$slurm_dir/munge" && chmod 0755 "$slurm_dir/munge/run" || return 1
    : >"$slurm_dir/etc/plugstack.conf"
    rm -f "$slurm_dir/munge/munge.key"
    if command -v mungekey >/dev/null 2>&1; then
        mungekey --create --keyfile="$slurm_dir/munge/munge.key" || return 1
    else
        (umask 077 && head -c 1024 /dev/urandom >"$slurm_dir/munge/munge.key") || return 1
    fi
    chmod 0600 "$slurm_dir/munge/munge.key"

    # From here on slurm_stop has something to stop.
    _slurm_tag="$slurm_dir.$$.$RANDOM"
    _slurm_spawn "$slurm_logs/munged.log" munged --foreground --force \
        --socket="$slurm_munge_socket" \
        --key-file="$slurm_dir/munge/munge.key" \
        --pid-file="$slurm_dir/munge/run/munged.pid" \
        --seed-file="$slurm_dir/munge/munged.seed" \
        --log-file="$slurm_logs/munged.log"
    _slurm_munged_pid=$!
    _slurm_since=$(sed 's/.*) //' "/proc/$_slurm_munged_pid/stat" | awk '{ print $20 }')
    for _ in $(seq 50); do
        [ -S "$slurm_munge_socket" ] && break
        _slurm_alive "$_slurm_munged_pid" || break
        sleep 0.1
    done
    if [ ! -S "$slurm_munge_socket" ]; then
        _slurm_say "munged did not create $slurm_munge_socket"
        _slurm_logs_tail
        slurm_stop
        return 1
    fi

    # A port taken between the check and the bind makes a daemon exit:
    # then other ports, up to three times.
    for try in 1 2 3; do
        _slurm_pick_ports || break
        _slurm_write_conf "$@" || break
        rc=0
        _slurm_start_daemons || rc=$?
        [ "$rc" -eq 0 ] && return 0
        [ "$rc" -eq 2 ] || break
        _slurm_say "port $slurm_ctld_port or $slurm_d_port was taken (try $try): other ports"
        # The next try's logs start afresh.
        for f in "$slurm_logs"/slurm*.log "$slurm_logs"/slurm*.out; do
            [ -e "$f" ] && mv "$f" "$f.try$try"
        done
    done
    _slurm_logs_tail
    slurm_stop
    return 1
}

slurm_stop() {
    local ids rc=0
    [ -n "$_slurm_tag" ] || return 0
    # Cancelled jobs are ended by their slurmstepd, the clean way: SIGTERM
    # to the whole process tree, SIGKILL after KillWait (2 s), then the
    # step reports and leaves.  A job that ignores SIGTERM takes about 5 s.
    if _slurm_alive "$_slurm_ctld_pid" && _slurm_alive "$_slurm_d_pid"; then
        ids=$(squeue -h -o %A 2>/dev/null | sort -u | paste -sd, -)
        if [ -n "$ids" ]; then
            # shellcheck disable=SC2046
            scancel $(echo "$ids" | tr , ' ') 2>/dev/null
            slurm_wait_job "$ids" 10 >/dev/null 2>&1
        fi
    fi
    # slurmd and slurmctld first (slurmscriptd, slurmctld's child, ends with
    # it), then what they left: slurmd leaves its slurmstepd running on
    # purpose, and slurmstepd does not act on SIGTERM.  munged last: the
    # others talk to it until they end.
    # (Those that end with their parent are waited for by _slurm_reaped.)
    _slurm_ended="$_slurm_ended $(_slurm_leftovers)"
    # shellcheck disable=SC2086
    _slurm_kill 50 $_slurm_d_pid $_slurm_ctld_pid || rc=1
    # shellcheck disable=SC2046
    _slurm_kill 20 $(_slurm_leftovers) || rc=1
    # shellcheck disable=SC2086
    _slurm_kill 50 $_slurm_munged_pid || rc=1
    # A process forked while its step was being killed: one more round.
    # shellcheck disable=SC2046
    _slurm_kill 10 $(_slurm_leftovers) || rc=1
    _slurm_reaped
    _slurm_tag='' _slurm_munged_pid='' _slurm_ctld_pid='' _slurm_d_pid=''
    _slurm_ended='' _slurm_since=0
    return "$rc"
}

slurm_pids() {
    local p
    [ -n "$_slurm_tag" ] || return 0
    {
        for p in $_slurm_munged_pid $_slurm_ctld_pid $_slurm_d_pid; do
            _slurm_alive "$p" && echo "$p"
        done
        _slurm_leftovers
    } | sort -n
}

slurm_wait_job() {
    local id=${1:-} timeout=${2:-60} out end
    if [ -z "$id" ]; then
        _slurm_say "usage: slurm_wait_job JOBID [SECONDS]"
        return 1
    fi
    end=$((SECONDS + timeout))
    while :; do
        # squeue lists pending, running and completing jobs; a job the
        # controller has forgotten is "Invalid job id" (exit 1).
        if out=$(squeue -h -j "$id" -o %i 2>&1); then
            [ -z "$out" ] && return 0
        else
            case $out in *"Invalid job id"*) return 0 ;; esac
        fi
        if [ "$SECONDS" -ge "$end" ]; then
            _slurm_say "job $id still queued after $timeout s: $(echo "$out" | paste -sd ' ' -)"
            return 1
        fi
        sleep 0.2
    done
}
