# shellcheck shell=bash disable=SC2034 # results are handed back in globals (WAIT_RC, SIPP_ARGS...)
# Helpers shared by tests/sipp/run.sh, tests/sipp/selftest.sh and the fake sipdrop used by the
# self-test. Source it; it defines functions and a few variables, it runs nothing.
#
# Everything here stays on loopback: every socket is bound to 127.0.0.1.

SIPP_LOOPBACK=127.0.0.1

# --- ports -----------------------------------------------------------------------------------

# proc_net_files udp|tcp|all: the /proc/net tables that exist (no IPv6 table without IPv6).
proc_net_files() {
    local f
    PROC_NET_FILES=()
    for f in /proc/net/udp /proc/net/udp6 /proc/net/tcp /proc/net/tcp6; do
        [[ $1 == all || $f == /proc/net/$1* ]] || continue
        [[ -r $f ]] && PROC_NET_FILES+=("$f")
    done
}

# port_in_use PORT: true when PORT is the local port of any UDP or TCP socket (any state,
# IPv4 or IPv6), so that a later bind cannot collide with it (TIME_WAIT included).
port_in_use() {
    local hex
    hex=$(printf '%04X' "$1")
    proc_net_files all
    awk -v p="$hex" '
        FNR > 1 { n = split($2, a, ":"); if (a[n] == p) { found = 1; exit } }
        END { exit !found }' "${PROC_NET_FILES[@]}"
}

# port_listening udp|tcp PORT: true when a UDP socket is bound to PORT, or a TCP socket
# listens on it.
port_listening() {
    local proto=$1 hex state
    hex=$(printf '%04X' "$2")
    case $proto in
        udp) state=07 ;;
        tcp) state=0A ;;
        *) return 2 ;;
    esac
    proc_net_files "$proto"
    awk -v p="$hex" -v s="$state" '
        FNR > 1 { n = split($2, a, ":"); if (a[n] == p && $4 == s) { found = 1; exit } }
        END { exit !found }' "${PROC_NET_FILES[@]}"
}

# alloc_ports COUNT: print the first of COUNT consecutive ports that are all free, searching
# upwards from SIPP_NEXT_PORT, and move SIPP_NEXT_PORT past them. Call it in the current
# shell (not in $(...)), the result is in ALLOCATED_PORT.
: "${SIPP_NEXT_PORT:=25060}"
alloc_ports() {
    local count=${1:-1} p i ok
    p=$SIPP_NEXT_PORT
    while ((p + count < 32768)); do
        ok=1
        for ((i = 0; i < count; i++)); do
            if port_in_use $((p + i)); then
                ok=0
                p=$((p + i + 1))
                break
            fi
        done
        if ((ok)); then
            ALLOCATED_PORT=$p
            SIPP_NEXT_PORT=$((p + count))
            return 0
        fi
    done
    echo "alloc_ports: no $count free consecutive ports below 32768" >&2
    return 1
}

# --- processes -------------------------------------------------------------------------------

# start_bg OUT ERR CMD...: start CMD in the background in its own process group (setsid), with
# stdin from /dev/null; its pid (= its process group id) is in BG_PID.
SIPP_BG_PIDS=()
start_bg() {
    local out=$1 err=$2
    shift 2
    setsid "$@" </dev/null >"$out" 2>"$err" &
    BG_PID=$!
    SIPP_BG_PIDS+=("$BG_PID")
}

# now_ms: milliseconds since the epoch, in NOW_MS (no fork).
now_ms() {
    local t=${EPOCHREALTIME//[!0-9]/}
    NOW_MS=$((10#$t / 1000))
}

# alive PID: true while PID has not exited (a zombie counts as exited). Reads /proc, so it
# needs no procps.
alive() {
    local st=''
    # (not $(<file): under errexit its failure to open ends the whole script)
    read -r st 2>/dev/null <"/proc/$1/stat" || [[ -n $st ]] || return 1
    st=${st##*) }
    [[ -n $st && ${st:0:1} != Z ]]
}

# wait_exit PID SECONDS: wait at most SECONDS for PID (a child of this shell) to exit; on
# success its exit status is in WAIT_RC and the function returns 0, else it returns 1.
wait_exit() {
    local pid=$1 deadline
    now_ms
    deadline=$((NOW_MS + $2 * 1000))
    while alive "$pid"; do
        now_ms
        ((NOW_MS < deadline)) || return 1
        sleep 0.05
    done
    WAIT_RC=0
    wait "$pid" 2>/dev/null || WAIT_RC=$?
    return 0
}

# kill_group PID: TERM the process group PID leads, then KILL it after a short grace; reap it.
kill_group() {
    local pid=$1 i
    alive "$pid" || { wait "$pid" 2>/dev/null || true; return 0; }
    kill -TERM -- "-$pid" 2>/dev/null || kill -TERM "$pid" 2>/dev/null || true
    for ((i = 0; i < 40; i++)); do
        alive "$pid" || break
        sleep 0.05
    done
    kill -KILL -- "-$pid" 2>/dev/null || kill -KILL "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
}

# kill_all_bg: kill every process group started by start_bg that is still alive (for traps).
kill_all_bg() {
    local pid
    for pid in "${SIPP_BG_PIDS[@]}"; do
        kill_group "$pid"
    done
    SIPP_BG_PIDS=()
}

# wait_listening udp|tcp PORT PID SECONDS: poll until PORT listens; fail early when PID exits.
# Returns 0 when listening, 1 when PID exited first, 2 on timeout.
wait_listening() {
    local proto=$1 port=$2 pid=$3 deadline
    now_ms
    deadline=$((NOW_MS + $4 * 1000))
    until port_listening "$proto" "$port"; do
        alive "$pid" || return 1
        now_ms
        ((NOW_MS < deadline)) || return 2
        sleep 0.05
    done
    return 0
}

# --- sipp ------------------------------------------------------------------------------------

# sipp_args LOGDIR PREFIX TRANSPORT PORT: fill SIPP_ARGS with the options every sipp run uses:
# one call, loopback only (SIP, control and media sockets), no stdin, global timeout that
# counts as a failure, traces into LOGDIR/PREFIX_*.log (and statistics, with the failure
# counters, into LOGDIR/PREFIX_stats.csv). TRANSPORT is udp or tcp.
: "${SIPP_TIMEOUT:=20}"          # global sipp timeout, seconds
: "${SIPP_RECV_TIMEOUT:=10000}"  # per-message receive timeout, milliseconds
sipp_args() {
    local dir=$1 prefix=$2 transport=$3 port=$4 t aux
    case $transport in
        udp) t=u1 ;;
        tcp) t=t1 ;;
        *) echo "sipp_args: bad transport $transport" >&2; return 2 ;;
    esac
    # control port (aux), media ports (aux+1 and aux+3): all free, all on loopback.
    alloc_ports 4 || return 1
    aux=$ALLOCATED_PORT
    SIPP_ARGS=(
        -t "$t" -i "$SIPP_LOOPBACK" -p "$port" -bind_local
        -ci "$SIPP_LOOPBACK" -cp "$aux" -mi "$SIPP_LOOPBACK" -mp $((aux + 1))
        -m 1 -nostdin
        -timeout "${SIPP_TIMEOUT}s" -timeout_error -recv_timeout "$SIPP_RECV_TIMEOUT"
        -trace_err -error_file "$dir/${prefix}_errors.log"
        -trace_msg -message_file "$dir/${prefix}_messages.log"
        -trace_stat -stf "$dir/${prefix}_stats.csv"
    )
}

# --- checks ----------------------------------------------------------------------------------

# check_summary FILE CONNECTED DROPPED: the last non-empty line of FILE must be the JSON summary
# of cli.md with summary.connected == CONNECTED and summary.dropped == DROPPED. Prints why not.
check_summary() {
    check_summary_fields "$1" "connected=$2" "dropped=$3"
}

# check_summary_fields FILE KEY=N...: the last non-empty line of FILE must be the JSON summary of
# cli.md, and each KEY of it must be the integer N. KEY is a field of "summary" (attempted,
# connected, dropped, failed) or modes.MODE (modes.busy=1). Prints why not.
check_summary_fields() {
    local file=$1 last
    shift
    last=$(awk 'NF { l = $0 } END { print l }' "$file" 2>/dev/null || true)
    if [[ -z $last ]]; then
        echo "no summary line on stdout"
        return 1
    fi
    # SIPP_SUMMARY_CHECK=grep forces the fallback (the self-test checks both ways).
    if [[ ${SIPP_SUMMARY_CHECK:-auto} != grep ]] && command -v python3 >/dev/null 2>&1; then
        python3 - "$last" "$@" <<'PY'
import json, sys
line, wants = sys.argv[1], sys.argv[2:]
try:
    s = json.loads(line)
except ValueError as e:
    print("last stdout line is not JSON (%s): %s" % (e, line[:200]))
    sys.exit(1)
if not isinstance(s, dict) or not isinstance(s.get("summary"), dict):
    print("last stdout line is not a JSON summary: %s" % line[:200])
    sys.exit(1)
bad = []
for want in wants:
    key, value = want.split("=", 1)
    got = s["summary"]
    for part in key.split("."):
        got = got.get(part) if isinstance(got, dict) else None
    if type(got) is not int or got != int(value):
        bad.append("%s=%s" % (key, json.dumps(got)))
if bad:
    print("summary has %s, want %s: %s" % (", ".join(bad), " ".join(wants), line[:200]))
    sys.exit(1)
PY
        return
    fi
    # No python3: a careful grep on the same line.
    local ws='[[:space:]]*' want key value rx missing=()
    if ! grep -Eq "^${ws}\\{${ws}\"summary\"${ws}:${ws}\\{.*\\}${ws}\\}${ws}\$" <<<"$last"; then
        echo "last stdout line is not a JSON summary: ${last:0:200}"
        return 1
    fi
    for want in "$@"; do
        key=${want%%=*} value=${want#*=}
        if [[ $key == modes.* ]]; then
            rx="\"modes\"${ws}:${ws}\\{[^{}]*\"${key#modes.}\"${ws}:${ws}${value}${ws}[,}]"
        else
            rx="\"${key}\"${ws}:${ws}${value}${ws}[,}]"
        fi
        grep -Eq "$rx" <<<"$last" || missing+=("$want")
    done
    if ((${#missing[@]})); then
        echo "summary does not have ${missing[*]}: ${last:0:200}"
        return 1
    fi
}

# check_events FILE disconnected MODE: FILE (the output of sipdrop --events) has a call_state
# event with state "disconnected" and mode MODE.
# check_events FILE conference N: N participant handles each have a call_state "conferenced"
# event and, after it, an "idle" one; exactly one other handle (the conference) has "connected"
# and "idle" events, and its "idle" comes after every participant's (drop-semantics.md section 5).
# Prints why not. Plain awk: one JSON object per line, spaces allowed, keys in any order.
check_events() {
    local file=$1 kind=$2 arg=$3
    [[ -f $file ]] || { echo "no event output"; return 1; }
    awk -v kind="$kind" -v arg="$arg" '
        function field(line, key,   s) {
            if (!match(line, "\"" key "\"[ \t]*:[ \t]*(\"[^\"]*\"|-?[0-9]+|null)")) return ""
            s = substr(line, RSTART, RLENGTH)
            sub(/^"[^"]*"[ \t]*:[ \t]*/, "", s)
            gsub(/"/, "", s)
            return s
        }
        function fail(msg) { print msg; failed = 1; exit 1 }
        /"event"[ \t]*:[ \t]*"call_state"/ {
            n++
            call[n] = field($0, "call"); state[n] = field($0, "state"); mode[n] = field($0, "mode")
        }
        END {
            if (failed) exit 1
            if (kind == "disconnected") {
                for (i = 1; i <= n; i++) if (state[i] == "disconnected" && mode[i] == arg) exit 0
                fail("no call_state event with state disconnected and mode " arg " (" n + 0 " call_state events)")
            }
            if (kind != "conference") fail("check_events: unknown check " kind)
            for (i = 1; i <= n; i++)
                if (state[i] == "conferenced" && !(call[i] in conf)) { conf[call[i]] = i; nconf++; clist = clist " " call[i] }
            if (nconf != arg) fail("call_state conferenced for " nconf + 0 " calls (" substr(clist, 2) "), want " arg)
            for (i = 1; i <= n; i++) {
                if (state[i] == "connected" && !(call[i] in conf) && !(call[i] in parent)) { parent[call[i]] = 1; np++; plist = plist " " call[i] }
                if (state[i] == "idle" && (call[i] in conf) && !(call[i] in idle) && i > conf[call[i]]) idle[call[i]] = i
                if (state[i] == "idle") last_idle[call[i]] = i
            }
            for (c in conf) if (!(c in idle)) fail("participant call " c " has no call_state idle after conferenced")
            if (np != 1) fail("want one conference handle (connected, never conferenced), got " np + 0 (np ? ": calls" plist : ""))
            for (p in parent) {
                if (!(p in last_idle)) fail("conference handle " p " has no call_state idle")
                for (c in conf) if (idle[c] > last_idle[p]) fail("participant call " c " went idle after the conference handle " p)
            }
        }' "$file"
}
