#!/usr/bin/env bash
# Interop with a real user agent: baresip (Debian's package) against sipdrop, on loopback.
# baresip answers automatically and plays no real audio (aubridge devices, PCMU/PCMA).
#
#   tests/interop/baresip.sh            every case
#   tests/interop/baresip.sh CASE...    some (names below)
#
# Cases:
#   sipdrop_drops_baresip   `sipdrop call` to baresip, which answers; sipdrop drops it: baresip
#                           reports the session closed by the peer (its words for a BYE).
#   baresip_dropped_by_listen  baresip dials `sipdrop listen --drop-after`: the same, the other
#                           way round; listen's events show the call connected and dropped.
#   baresip_hangs_up        baresip answers and quits after 2 s, hanging up: `sipdrop call`
#                           sees `disconnected` with mode `normal` and exits 0.
# Environment: SIPDROP (default target/release/sipdrop), BARESIP (default: baresip on the PATH),
# INTEROP_LOG_DIR (default target/interop-logs; this script's logs go to its baresip/ folder).
# Loopback only.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
CASES=(sipdrop_drops_baresip baresip_dropped_by_listen baresip_hangs_up)
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$here/lib.sh"
interop_setup baresip "$@"
SIPP_NEXT_PORT=${INTEROP_BASE_PORT:-26560}
BARESIP=${BARESIP:-$(command -v baresip || true)}
[[ -n $BARESIP && -x $BARESIP ]] || { echo "baresip not found (Debian package baresip-core)" >&2; exit 1; }
modules=$(module_dir '*baresip/modules/g711.so')
[[ -n $modules && -f $modules/aubridge.so ]] || { echo "baresip modules (g711, aubridge) not found" >&2; exit 1; }

# baresip_config DIR PORT: a configuration folder for a baresip on 127.0.0.1:PORT that
# answers every call at once.
baresip_config() {
    mkdir -p "$1"
    cat >"$1/config" <<EOF
poll_method		poll
sip_listen		127.0.0.1:$2
sip_trans_def		udp
audio_source		aubridge,nowhere
audio_player		aubridge,nowhere
audio_alert		aubridge,nowhere
module_path		$modules
module			g711.so
module			aubridge.so
module			menu.so
module			account.so
EOF
    echo '<sip:alice@127.0.0.1>;regint=0;answermode=auto' >"$1/accounts"
    : >"$1/contacts"
}

passed=0
failed=0
run_case() {
    local name=$1 dir=$LOG_ROOT/$1 bport port why=() bpid spid
    mkdir -p "$dir"
    alloc_ports 2
    bport=$ALLOCATED_PORT port=$((ALLOCATED_PORT + 1))
    baresip_config "$dir/baresip" "$bport"
    case $name in
        sipdrop_drops_baresip | baresip_hangs_up)
            local quit=()
            [[ $name != baresip_hangs_up ]] || quit=(-t 2)
            start_bg "$dir/baresip.out" "$dir/baresip.err" timeout 20 "$BARESIP" -f "$dir/baresip" "${quit[@]}"
            bpid=$BG_PID
            wait_listening udp "$bport" "$bpid" 10 || why+=("baresip did not start")
            local args=(call "sip:alice@127.0.0.1:$bport" --udp "127.0.0.1:$port" --events --t1 100)
            [[ $name != sipdrop_drops_baresip ]] || args+=(--drop-after 500 --uui 04a1)
            start_bg "$dir/sipdrop.out" "$dir/sipdrop.err" timeout 20 "$SIPDROP" "${args[@]}"
            spid=$BG_PID
            wait_exit "$spid" 25 || { kill_group "$spid"; WAIT_RC=124; }
            ((WAIT_RC == 0)) || why+=("sipdrop call exited $WAIT_RC")
            if [[ $name == sipdrop_drops_baresip ]]; then
                expect_summary "$dir/sipdrop.out" connected=1 dropped=1
                sleep 0.5
                grep -q "session closed: Connection reset by peer" "$dir/baresip.out" ||
                    why+=("baresip did not see the BYE")
            else
                expect_summary "$dir/sipdrop.out" connected=1 dropped=0 modes.normal=1
            fi
            kill_group "$bpid"
            ;;
        baresip_dropped_by_listen)
            start_bg "$dir/sipdrop.out" "$dir/sipdrop.err" "$SIPDROP" listen --udp "127.0.0.1:$port" \
                --drop-after 500 --uui 04a1 --events --max-calls 1 --t1 100
            spid=$BG_PID
            wait_listening udp "$port" "$spid" 10 || why+=("listen did not start")
            start_bg "$dir/baresip.out" "$dir/baresip.err" timeout 20 "$BARESIP" -f "$dir/baresip" \
                -e "/dial sip:bob@127.0.0.1:$port"
            bpid=$BG_PID
            wait_exit "$spid" 20 || { kill_group "$spid"; WAIT_RC=124; }
            ((WAIT_RC == 0)) || why+=("sipdrop listen exited $WAIT_RC")
            grep -q '"state":"connected"' "$dir/sipdrop.out" || why+=("listen saw no connected call")
            grep -q '"state":"idle"' "$dir/sipdrop.out" || why+=("listen saw no idle call")
            sleep 0.5
            grep -q "session closed: Connection reset by peer" "$dir/baresip.out" ||
                why+=("baresip did not see the BYE")
            kill_group "$bpid"
            ;;
    esac
    if ((${#why[@]})); then
        echo "FAIL baresip/$name (${why[*]})"
        failed=$((failed + 1))
        for f in "$dir"/*.out "$dir"/*.err; do
            echo "    --- ${f#"$root"/} ---"
            tail -n 8 "$f" | tr -d '\r' | sed 's/^/    | /'
        done
    else
        echo "PASS baresip/$name"
        passed=$((passed + 1))
    fi
}

echo "$("$BARESIP" -h 2>&1 | head -n 1 | cut -d' ' -f1-2)"
for c in "${SELECTED[@]}"; do
    run_case "$c"
done
echo "$passed passed, $failed failed"
((failed == 0))
