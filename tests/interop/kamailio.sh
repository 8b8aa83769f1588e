#!/usr/bin/env bash
# Interop with a real proxy: two sipdrop processes talk through Kamailio (Debian's package), a
# record-routing, transaction-stateful proxy (kamailio.cfg.in). Each case checks that the
# dialog's requests really went through the proxy (its log names them) and that both ends saw
# what drop-semantics.md says, through the CLI contract only (events, summary, exit status).
#
#   tests/interop/kamailio.sh            every case
#   tests/interop/kamailio.sh CASE...    some (names below)
#
# Environment: SIPDROP (default target/release/sipdrop), KAMAILIO (default: kamailio on the
# PATH), INTEROP_LOG_DIR (default target/interop-logs; this script's logs go to its kamailio/
# folder). Loopback only.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
CASES=(caller_drops callee_drops caller_cancels callee_declines caller_drops_tcp)
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$here/lib.sh"
interop_setup kamailio "$@"
SIPP_NEXT_PORT=${INTEROP_BASE_PORT:-26060}
KAMAILIO=${KAMAILIO:-$(command -v kamailio || true)}
[[ -n $KAMAILIO && -x $KAMAILIO ]] || { echo "kamailio not found (Debian package kamailio)" >&2; exit 1; }
mpath=$(module_dir '*kamailio/modules/tm.so')
[[ -n $mpath ]] || { echo "kamailio modules (tm.so) not found" >&2; exit 1; }

# --- the proxy, shared by every case --------------------------------------------------------
alloc_ports 1
proxy_port=$ALLOCATED_PORT
sed -e "s/@PORT@/$proxy_port/g" -e "s|@MPATH@|$mpath/|" "$here/kamailio.cfg.in" >"$LOG_ROOT/kamailio.cfg"
"$KAMAILIO" -c -f "$LOG_ROOT/kamailio.cfg" >"$LOG_ROOT/kamailio-check.log" 2>&1 || {
    echo "kamailio rejects its config:" >&2
    tail -n 20 "$LOG_ROOT/kamailio-check.log" >&2
    exit 1
}
start_bg "$LOG_ROOT/kamailio.out" "$LOG_ROOT/kamailio.log" "$KAMAILIO" -DD -E -f "$LOG_ROOT/kamailio.cfg"
kam_pid=$BG_PID
wait_listening udp "$proxy_port" "$kam_pid" 10 && wait_listening tcp "$proxy_port" "$kam_pid" 10 || {
    echo "kamailio did not start:" >&2
    tail -n 20 "$LOG_ROOT/kamailio.log" >&2
    exit 1
}
echo "kamailio $("$KAMAILIO" -v | awk 'NR == 1 { print $3 }') on 127.0.0.1:$proxy_port"

passed=0
failed=0
# proxied METHOD PORT: since this case began, the proxy's log has METHOD coming from
# 127.0.0.1:PORT (our xlog line); PORT "any" for a TCP connection's ephemeral port.
log_mark=0
proxied() {
    local port=$2
    [[ $port != any ]] || port='[0-9]+'
    tail -n "+$((log_mark + 1))" "$LOG_ROOT/kamailio.log" | grep -Eq "request $1 [^ ]* from 127\.0\.0\.1:$port\$"
}
# event FILE STATE MODE: FILE has a call_state event with STATE and MODE (null: no mode).
event() {
    local mode_rx="\"mode\":\"$3\""
    [[ $3 == null ]] && mode_rx='"mode":null'
    grep -q "\"state\":\"$2\",$mode_rx" "$1"
}
run_case() {
    local name=$1 dir=$LOG_ROOT/$1 port why=() listen_args call_args caller_port uri proxy
    mkdir -p "$dir"
    log_mark=$(wc -l <"$LOG_ROOT/kamailio.log")
    alloc_ports 2
    port=$ALLOCATED_PORT
    caller_port=$((port + 1))
    uri="sip:bob@127.0.0.1:$port" proxy="sip:127.0.0.1:$proxy_port"
    listen_args=(listen --udp "127.0.0.1:$port" --events --max-calls 1 --t1 100)
    call_args=(call "$uri" --udp "127.0.0.1:$caller_port" --proxy "$proxy" --events --t1 100)
    case $name in
        caller_drops) call_args+=(--drop-after 300 --uui 04a1b2) ;;
        callee_drops) listen_args+=(--drop-after 300 --uui 04c3d4) ;;
        caller_cancels)
            listen_args+=(--on-offer ring)
            call_args+=(--cancel-after 300 --uui 04a1)
            ;;
        callee_declines)
            listen_args+=(--on-offer decline)
            call_args+=(--expect reject)
            ;;
        caller_drops_tcp)
            listen_args+=(--tcp "127.0.0.1:$port")
            call_args=(call "$uri;transport=tcp" --udp "127.0.0.1:$caller_port" --tcp "127.0.0.1:$caller_port"
                --proxy "$proxy;transport=tcp" --events --t1 100 --drop-after 300 --uui 04a1b2)
            ;;
    esac
    start_bg "$dir/listen.out" "$dir/listen.err" "$SIPDROP" "${listen_args[@]}"
    local lpid=$BG_PID
    if ! wait_listening udp "$port" "$lpid" 10; then
        why+=("listen did not start")
    else
        start_bg "$dir/call.out" "$dir/call.err" timeout 30 "$SIPDROP" "${call_args[@]}"
        local cpid=$BG_PID
        wait_exit "$cpid" 40 || { kill_group "$cpid"; WAIT_RC=124; }
        ((WAIT_RC == 0)) || why+=("call exited $WAIT_RC")
        wait_exit "$lpid" 15 || { kill_group "$lpid"; WAIT_RC=124; }
        ((WAIT_RC == 0)) || why+=("listen exited $WAIT_RC")
    fi
    local co=$dir/call.out lo=$dir/listen.out from=$caller_port
    # Over TCP the caller connects from an ephemeral port.
    [[ $name != *_tcp ]] || from=any
    case $name in
        caller_drops | caller_drops_tcp)
            proxied INVITE "$from" || why+=("INVITE did not go through the proxy")
            proxied ACK "$from" || why+=("ACK did not follow the route set")
            proxied BYE "$from" || why+=("BYE did not follow the route set")
            check_summary "$co" 1 1 >/dev/null || why+=("caller summary: $(check_summary "$co" 1 1)")
            event "$lo" disconnected normal || why+=("callee saw no disconnected/normal")
            grep -q '"uui_received":"04a1b2"' "$lo" || why+=("callee did not receive the UUI")
            ;;
        callee_drops)
            proxied BYE "$port" || why+=("the callee's BYE did not follow the route set")
            check_summary_fields "$co" connected=1 dropped=0 modes.normal=1 >/dev/null ||
                why+=("caller summary: $(check_summary_fields "$co" connected=1 dropped=0 modes.normal=1)")
            grep -q '"uui_received":"04c3d4"' "$co" || why+=("caller did not receive the UUI")
            ;;
        caller_cancels)
            proxied CANCEL "$caller_port" || why+=("CANCEL did not go through the proxy")
            check_summary "$co" 0 1 >/dev/null || why+=("caller summary: $(check_summary "$co" 0 1)")
            event "$lo" disconnected cancelled || why+=("callee saw no disconnected/cancelled")
            ;;
        callee_declines)
            proxied INVITE "$caller_port" || why+=("INVITE did not go through the proxy")
            check_summary_fields "$co" connected=0 modes.reject=1 >/dev/null ||
                why+=("caller summary: $(check_summary_fields "$co" connected=0 modes.reject=1)")
            grep -q '"reason":"Q.850;cause=21' "$co" || why+=("the 603's Reason did not reach the caller")
            ;;
    esac
    if ((${#why[@]})); then
        echo "FAIL $name (${why[*]})"
        failed=$((failed + 1))
        for f in "$dir"/*; do
            echo "    --- ${f#"$root"/} ---"
            tail -n 8 "$f" | sed 's/^/    | /'
        done
    else
        echo "PASS $name"
        passed=$((passed + 1))
    fi
}

for c in "${SELECTED[@]}"; do
    run_case "$c"
done
kill_group "$kam_pid"
echo "$passed passed, $failed failed"
((failed == 0))
