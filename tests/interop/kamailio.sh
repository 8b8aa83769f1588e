#!/usr/bin/env bash
# Interop with a real proxy: two sipdrop processes talk through Kamailio (Debian's package), a
# record-routing, transaction-stateful proxy (kamailio.cfg.in). Each case checks that the
# dialog's requests really went through the proxy (its log names them) and that both ends saw
# what drop-semantics.md says, through the CLI contract only (events, summary, exit status).
# The case registered_and_authenticated uses a second Kamailio (kamailio-auth.cfg.in), a
# registrar and proxy that challenges REGISTER, INVITE and BYE and checks our digest answers.
#
#   tests/interop/kamailio.sh            every case
#   tests/interop/kamailio.sh CASE...    some (names below)
#
# Environment: SIPDROP (default target/release/sipdrop), KAMAILIO (default: kamailio on the
# PATH), INTEROP_LOG_DIR (default target/interop-logs; this script's logs go to its kamailio/
# folder). Loopback only.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
CASES=(caller_drops callee_drops caller_cancels callee_declines caller_drops_tcp
    registered_and_authenticated registered_and_authenticated_sha256)
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$here/lib.sh"
interop_setup kamailio "$@"
SIPP_NEXT_PORT=${INTEROP_BASE_PORT:-26060}
KAMAILIO=${KAMAILIO:-$(command -v kamailio || true)}
[[ -n $KAMAILIO && -x $KAMAILIO ]] || { echo "kamailio not found (Debian package kamailio)" >&2; exit 1; }
mpath=$(module_dir '*kamailio/modules/tm.so')
[[ -n $mpath ]] || { echo "kamailio modules (tm.so) not found" >&2; exit 1; }

# --- the proxies, shared by the cases ------------------------------------------------------
# start_kamailio TEMPLATE [NAME [ALGORITHM]]: Kamailio with TEMPLATE.cfg.in on a free port
# (KAM_PORT), logging to LOG_ROOT/NAME.log (NAME defaults to TEMPLATE); its pid is KAM_PID.
# ALGORITHM (default MD5) fills @ALGORITHM@, the Digest algorithm of the auth configuration.
start_kamailio() {
    local template=$1 name=${2:-$1} algorithm=${3:-MD5}
    alloc_ports 1
    KAM_PORT=$ALLOCATED_PORT
    sed -e "s/@PORT@/$KAM_PORT/g" -e "s|@MPATH@|$mpath/|" -e "s/@ALGORITHM@/$algorithm/" \
        "$here/$template.cfg.in" >"$LOG_ROOT/$name.cfg"
    "$KAMAILIO" -c -f "$LOG_ROOT/$name.cfg" >"$LOG_ROOT/$name-check.log" 2>&1 || {
        echo "kamailio rejects $name.cfg.in:" >&2
        tail -n 20 "$LOG_ROOT/$name-check.log" >&2
        exit 1
    }
    start_bg "$LOG_ROOT/$name.out" "$LOG_ROOT/$name.log" "$KAMAILIO" -DD -E -f "$LOG_ROOT/$name.cfg"
    KAM_PID=$BG_PID
    wait_listening udp "$KAM_PORT" "$KAM_PID" 10 && wait_listening tcp "$KAM_PORT" "$KAM_PID" 10 || {
        echo "kamailio ($name) did not start:" >&2
        tail -n 20 "$LOG_ROOT/$name.log" >&2
        exit 1
    }
    echo "kamailio $("$KAMAILIO" -v | awk 'NR == 1 { print $3 }') ($name) on 127.0.0.1:$KAM_PORT"
}
start_kamailio kamailio
proxy_port=$KAM_PORT kam_pid=$KAM_PID
# The registrar and authenticating proxy, for registered_and_authenticated (MD5) and
# registered_and_authenticated_sha256 (RFC 8760).
start_kamailio kamailio-auth
auth_port=$KAM_PORT auth_pid=$KAM_PID
start_kamailio kamailio-auth kamailio-auth-sha256 SHA-256
sha_port=$KAM_PORT sha_pid=$KAM_PID

passed=0
failed=0
# proxied METHOD PORT: since this case began, the proxy's log has METHOD coming from
# 127.0.0.1:PORT (our xlog line); PORT "any" for a TCP connection's ephemeral port.
log_mark=0 auth_mark=0
proxied() {
    local port=$2
    [[ $port != any ]] || port='[0-9]+'
    tail -n "+$((log_mark + 1))" "$LOG_ROOT/kamailio.log" |
        grep -E "request $1 [^ ]* from 127\.0\.0\.1:$port\$" >/dev/null
}
# authenticated TEXT: since this case began, the case's authenticating proxy (auth_log)
# logged "authenticated TEXT" (after checking our digest response).
auth_log=kamailio-auth
authenticated() {
    log_has "$LOG_ROOT/$auth_log.log" "$auth_mark" "authenticated $1"
}
# wait_for_line FILE TEXT SECONDS: until FILE has a line containing TEXT.
wait_for_line() {
    local i
    for ((i = 0; i < $3 * 20; i++)); do
        grep -Fq "$2" "$1" 2>/dev/null && return 0
        sleep 0.05
    done
    return 1
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
    auth_log=kamailio-auth
    [[ $name != *_sha256 ]] || auth_log=kamailio-auth-sha256
    auth_mark=$(wc -l <"$LOG_ROOT/$auth_log.log")
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
        registered_and_authenticated | registered_and_authenticated_sha256)
            # carol registers (401, qop=auth); alice calls carol's AOR through the proxy, which
            # challenges the INVITE (407, qop=auth) and the BYE (407, no qop) and finds carol by
            # her registration. The _sha256 case: every challenge says algorithm=SHA-256.
            proxy="sip:127.0.0.1:$auth_port"
            [[ $name != *_sha256 ]] || proxy="sip:127.0.0.1:$sha_port"
            listen_args+=(--register sip:carol@127.0.0.1 --proxy "$proxy" --user carol --password secret)
            call_args=(call sip:carol@127.0.0.1 --udp "127.0.0.1:$caller_port" --proxy "$proxy"
                --user alice --password secret --events --t1 100 --drop-after 300 --uui 04a1b2)
            ;;
    esac
    start_bg "$dir/listen.out" "$dir/listen.err" "$SIPDROP" "${listen_args[@]}"
    local lpid=$BG_PID
    if ! wait_listening udp "$port" "$lpid" 10; then
        why+=("listen did not start")
    elif [[ $name == registered_and_authenticated* ]] &&
        ! wait_for_line "$dir/listen.out" '"state":"registered"' 10; then
        why+=("listen did not register")
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
            expect_summary "$co" connected=1 dropped=1
            event "$lo" disconnected normal || why+=("callee saw no disconnected/normal")
            grep -q '"uui_received":"04a1b2"' "$lo" || why+=("callee did not receive the UUI")
            ;;
        callee_drops)
            proxied BYE "$port" || why+=("the callee's BYE did not follow the route set")
            expect_summary "$co" connected=1 dropped=0 modes.normal=1
            grep -q '"uui_received":"04c3d4"' "$co" || why+=("caller did not receive the UUI")
            ;;
        caller_cancels)
            proxied CANCEL "$caller_port" || why+=("CANCEL did not go through the proxy")
            expect_summary "$co" connected=0 dropped=1
            event "$lo" disconnected cancelled || why+=("callee saw no disconnected/cancelled")
            ;;
        registered_and_authenticated | registered_and_authenticated_sha256)
            authenticated "REGISTER of sip:carol@127.0.0.1" || why+=("the REGISTER was not authenticated")
            authenticated "INVITE from sip:alice@127.0.0.1" || why+=("the INVITE was not authenticated (as alice)")
            authenticated "BYE from sip:alice@127.0.0.1" || why+=("the BYE was not authenticated")
            expect_summary "$co" connected=1 dropped=1
            grep -q '"uui_received":"04a1b2"' "$lo" || why+=("callee did not receive the UUI")
            grep -q '"state":"unregistered"' "$lo" || why+=("callee did not unregister on exit")
            ;;
        callee_declines)
            proxied INVITE "$caller_port" || why+=("INVITE did not go through the proxy")
            expect_summary "$co" connected=0 modes.reject=1
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
kill_group "$auth_pid"
kill_group "$sha_pid"
echo "$passed passed, $failed failed"
((failed == 0))
