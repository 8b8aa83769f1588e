#!/usr/bin/env bash
# The sipp acceptance suite of sipdrop: every case pairs a sipp scenario of this folder with the
# sipdrop binary, over UDP and over TCP, on 127.0.0.1 only. See tests/sipp/README.md.
#
#   tests/sipp/run.sh                      all cases
#   tests/sipp/run.sh uas_checks_bye udp   one case (any mix of case names and transports)
#   tests/sipp/run.sh --list [FILTER...]   the names of the cases that would run
#
# Environment: SIPDROP (the binary; default target/release/sipdrop, or under $CARGO_TARGET_DIR),
# SIPP_LOG_DIR (default target/sipp-logs), SIPP_BASE_PORT (first port tried, default 25060),
# SIPP_KEEP_LOGS=1 (keep the logs of passing cases too), SIPDROP_EXTRA_ARGS (added to every
# sipdrop command, e.g. "-vv --sip-trace"), and the bounds SIPP_TIMEOUT, SIPP_RECV_TIMEOUT,
# SIPDROP_TIMEOUT, SIPDROP_EXIT_WAIT, LISTEN_WAIT (defaults below and in lib.sh).
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "$here/../.." && pwd)
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$here/lib.sh"

target_dir=${CARGO_TARGET_DIR:-$root/target}
[[ $target_dir == /* ]] || target_dir=$root/$target_dir
SIPDROP=${SIPDROP:-$target_dir/release/sipdrop}
[[ $SIPDROP == /* ]] || SIPDROP=$PWD/$SIPDROP
LOG_ROOT=${SIPP_LOG_DIR:-$root/target/sipp-logs}
[[ $LOG_ROOT == /* ]] || LOG_ROOT=$PWD/$LOG_ROOT
SIPP_NEXT_PORT=${SIPP_BASE_PORT:-25060}
: "${SIPDROP_TIMEOUT:=30}"   # seconds a `sipdrop call` may run
: "${SIPDROP_EXIT_WAIT:=20}" # seconds `sipdrop listen --max-calls 1` may take to exit after sipp
: "${LISTEN_WAIT:=10}"       # seconds the server side may take to start listening
read -r -a SIPDROP_EXTRA <<<"${SIPDROP_EXTRA_ARGS:-}"

CASES=(uac_hangup uac_declined uas_checks_bye uac_dropped_by_listen
    cancel_after_180 drop_before_180 crossing_2xx
    remote_busy remote_decline remote_notfound remote_unavailable remote_busy_unexpected
    conference_3 uac_cancelled uac_holds)
TRANSPORTS=(udp tcp)

usage() {
    echo "usage: $0 [--list] [CASE|udp|tcp|CASE/TRANSPORT]..." >&2
    echo "cases: ${CASES[*]}" >&2
}

# --- arguments --------------------------------------------------------------------------------
# Case names and transports select their cross product (a missing kind means all of it);
# NAME/TRANSPORT selects that one case in addition. No argument: every case.
want_cases=()
want_transports=()
want_pairs=()
list_only=0
for arg in "$@"; do
    case $arg in
        -h | --help) usage; exit 0 ;;
        --list) list_only=1; continue ;;
    esac
    if [[ " ${CASES[*]} " == *" $arg "* ]]; then
        want_cases+=("$arg")
    elif [[ " ${TRANSPORTS[*]} " == *" $arg "* ]]; then
        want_transports+=("$arg")
    elif [[ $arg == */* && " ${CASES[*]} " == *" ${arg%/*} "* && " ${TRANSPORTS[*]} " == *" ${arg#*/} "* ]]; then
        want_pairs+=("$arg")
    else
        echo "run.sh: unknown case or transport: $arg" >&2
        usage
        exit 2
    fi
done
cross=1
if ((${#want_pairs[@]} && !${#want_cases[@]} && !${#want_transports[@]})); then
    cross=0
fi
((${#want_cases[@]})) || want_cases=("${CASES[@]}")
((${#want_transports[@]})) || want_transports=("${TRANSPORTS[@]}")
selected=()
for c in "${CASES[@]}"; do
    for t in "${TRANSPORTS[@]}"; do
        if [[ " ${want_pairs[*]} " == *" $c/$t "* ]] || {
            ((cross)) && [[ " ${want_cases[*]} " == *" $c "* && " ${want_transports[*]} " == *" $t "* ]]
        }; then
            selected+=("$c/$t")
        fi
    done
done

if ((list_only)); then
    printf '%s\n' "${selected[@]}"
    exit 0
fi

passed=0
failed=0
pass() {
    echo "PASS $1"
    passed=$((passed + 1))
}
fail() {
    echo "FAIL $1 ($2)"
    failed=$((failed + 1))
}
finish() {
    echo "$passed passed, $failed failed"
    ((failed == 0))
}

# --- preconditions ---------------------------------------------------------------------------
if [[ ! -f $SIPDROP || ! -x $SIPDROP ]]; then
    echo "sipdrop binary not found: $SIPDROP (build it with: cargo build --release)" >&2
    for c in "${selected[@]}"; do fail "$c" "sipdrop binary not found: $SIPDROP"; done
    finish
    exit 1
fi
if ! command -v sipp >/dev/null 2>&1; then
    echo "sipp not found (Debian package sip-tester)" >&2
    for c in "${selected[@]}"; do fail "$c" "sipp not found"; done
    finish
    exit 1
fi

mkdir -p "$LOG_ROOT"
cd "$LOG_ROOT" # sipp writes nothing outside the log folder, whatever it decides to create

on_exit() {
    kill_all_bg
}
trap on_exit EXIT
trap 'echo "run.sh: interrupted" >&2; exit 130' INT
trap 'echo "run.sh: terminated" >&2; exit 143' TERM

# --- reporting -------------------------------------------------------------------------------
cmdline() { # CMD...: one shell-quoted command line
    printf '%q' "$1"
    shift
    printf ' %q' "$@"
    echo
}

show_tail() { # FILE LINES
    [[ -s $1 ]] || return 0
    echo "    --- ${1#"$root"/} (last $2 lines) ---"
    tail -n "$2" "$1" | awk '{ sub(/\r$/, ""); print "    | " $0 }'
}

# sipp_hint DIR SCENARIO [PREFIX]: why sipp failed the call, in a few words, from its error log
# (DIR/PREFIX_errors.log, PREFIX defaults to sipp).
sipp_hint() {
    local f=$1/${3:-sipp}_errors.log scenario=$2 line rx idx step counters
    if [[ ! -s $f ]]; then
        # Nothing logged (sipp logs no error for some failures, e.g. a TCP connection the peer
        # closed while the call was still running): name sipp's non-zero failure counters.
        counters=$(awk -F';' 'NR == 1 { for (i = 1; i <= NF; i++) h[i] = $i; next }
            { for (i = 1; i <= NF; i++) v[i] = $i }
            END { for (i in h) if (h[i] ~ /^Failed.*\(C\)$/ && h[i] != "FailedCall(C)" && v[i] + 0 > 0)
                      printf "%s%s", (n++ ? ", " : ""), substr(h[i], 1, length(h[i]) - 3) }' \
            "$1/${3:-sipp}_stats.csv" 2>/dev/null || true)
        case $counters in
            '') ;;
            *TcpClosed*) printf '; sipp counted: %s (the peer closed the TCP connection before the scenario ended)' "$counters" ;;
            *) printf '; sipp counted: %s' "$counters" ;;
        esac
        return 0
    fi
    line=$(grep -m1 -E 'Failed regexp|Aborting call|receive timeout|timed out|Unable|Can not' "$f" || true)
    case $line in
        *"Failed regexp match"*)
            rx=$(grep -m1 -o "with regexp '[^']*'" "$f" || true)
            case $rx in
                *'[Rr][Ee][Aa][Ss][Oo][Nn]'*)
                    printf '; Reason check failed: no Reason header with Q.850 cause=%s' \
                        "$(grep -o -E '=\[\[:blank:\]\]\*[0-9]+' <<<"$rx" | grep -o -E '[0-9]+$')" ;;
                *'[Uu][Ss][Ee][Rr]-'*)
                    printf '; User-to-User check failed: no User-to-User header with the expected hex bytes and encoding=hex' ;;
                *'[Tt][Yy][Pp][Ee]'*) printf '; SDP check failed: 200 has no Content-Type application/sdp' ;;
                *'v=0'*) printf '; SDP check failed: 200 body is not an SDP (v=0)' ;;
                *) printf '; a header check failed: %s' "${rx:0:120}" ;;
            esac
            ;;
        *"Aborting call on an unexpected CANCEL"*)
            printf '; received a CANCEL before the scenario step that expects it' ;;
        *"Aborting call on unexpected message"*)
            printf '; received unexpected %s' \
                "$(grep -m1 -o -E "received '[^[:cntrl:]']*" "$f" | sed "s/^received //")'" ;;
        *"receive timeout"*)
            idx=$(grep -m1 -o -E 'receive timeout on message [^:]*:[0-9]+' "$f" | grep -o -E '[0-9]+$')
            step=$(grep -o -E '<(send|recv|pause|nop)[^>]*' "$scenario" | sed -n "$((idx + 1))p")
            printf '; receive timeout at scenario step %s: %s>' "$idx" "${step%/}" ;;
        '') ;;
        *) printf '; %s' "$(cut -c1-160 <<<"${line#*: }")" ;;
    esac
}

sipp_meaning() { # RC
    case $1 in
        1) echo "the call failed" ;;
        97) echo "exit on internal command" ;;
        99) echo "no call processed" ;;
        124 | 137) echo "killed by timeout" ;;
        254) echo "could not bind its socket" ;;
        255) echo "fatal error or global timeout" ;;
        *) echo "unexpected exit status" ;;
    esac
}

# --- one case --------------------------------------------------------------------------------
# Server side first (sipdrop listen, or one sipp callee per URI), wait until it listens (bounded
# poll), then the client with a timeout, then collect every exit status and kill what is left.
# The case fails when a checking side (sipp) exits non-zero, when sipdrop's exit status is not
# the one cli.md gives (0; 1 when the call did not end as --expect says), or when an extra check
# of sipdrop's stdout fails (the JSON summary, the call_state events).
run_case() {
    local id=$1 name=${1%/*} tr=${1#*/}
    local dir=$LOG_ROOT/${name}_$tr
    local scenario=$here/$name.xml role=call nsrv=1 want_rc=0 rc_note='' summary=() events=()
    local ports=() addrs=() addr cport i rc msg
    local sd_args=() sd_pid sd_rc=none why=()
    local snames=() spids=() srcs=()
    rm -rf "$dir"
    mkdir -p "$dir"

    [[ $name != conference_3 ]] || nsrv=3
    for ((i = 0; i < nsrv; i++)); do
        alloc_ports 1 || { fail "$id" "no free port"; return; }
        ports+=("$ALLOCATED_PORT")
        addrs+=("$SIPP_LOOPBACK:$ALLOCATED_PORT")
    done
    alloc_ports 1 || { fail "$id" "no free port"; return; }
    cport=$ALLOCATED_PORT
    addr=${addrs[0]}

    # The sipdrop command line and the checks of its output, case by case (README.md has the table).
    case $name in
        uac_hangup | uac_holds) role=listen sd_args=(--max-calls 1) ;;
        uac_declined) role=listen sd_args=(--on-offer decline --max-calls 1) ;;
        uac_dropped_by_listen) role=listen sd_args=(--drop-after 300 --uui 04a1 --max-calls 1) ;;
        uac_cancelled)
            role=listen sd_args=(--on-offer ring --max-calls 1 --events)
            events=(disconnected cancelled)
            ;;
        uas_checks_bye)
            sd_args=(call "sip:uas@$addr" --drop-after 300 --uui 04a1b2c3 --events)
            summary=(connected=1 dropped=1)
            ;;
        cancel_after_180)
            sd_args=(call "sip:uas@$addr" --cancel-after 500 --uui 04a1 --events)
            summary=(connected=0 dropped=1)
            ;;
        drop_before_180)
            sd_args=(call "sip:uas@$addr" --cancel-after 200 --events)
            summary=(connected=0 dropped=1)
            ;;
        crossing_2xx)
            sd_args=(call "sip:uas@$addr" --cancel-after 500 --uui 04a1b2 --events)
            summary=(dropped=1)
            ;;
        remote_*)
            local status mode expect
            case $name in
                remote_busy | remote_busy_unexpected) status='486 Busy Here' mode=busy ;;
                remote_decline) status='603 Decline' mode=reject ;;
                remote_notfound) status='404 Not Found' mode=badaddress ;;
                remote_unavailable) status='480 Temporarily Unavailable' mode=unreachable ;;
            esac
            # remote_final.xml answers 486; the other codes go into a copy (see its comment).
            scenario=$here/remote_final.xml
            if [[ $status != 486* ]]; then
                scenario=$dir/remote_final_${status%% *}.xml
                sed "s|SIP/2.0 486 Busy Here|SIP/2.0 $status|" "$here/remote_final.xml" >"$scenario"
                grep -q "SIP/2.0 $status" "$scenario" || { fail "$id" "could not write $scenario"; return; }
            fi
            expect=$mode
            if [[ $name == remote_busy_unexpected ]]; then
                expect=normal want_rc=1 rc_note=" (--expect normal, but the call ended $mode)"
            fi
            sd_args=(call "sip:uas@$addr" --expect "$expect" --events)
            summary=(connected=0 dropped=0 "modes.$mode=1")
            ;;
        conference_3)
            # three callees that each check the BYE exactly as uas_checks_bye does
            scenario=$here/uas_checks_bye.xml
            sd_args=(conference "sip:a@${addrs[0]}" "sip:b@${addrs[1]}" "sip:c@${addrs[2]}"
                --drop-after 300 --uui 04a1b2c3 --events)
            summary=(connected=3 dropped=3)
            events=(conference 3)
            ;;
        *) fail "$id" "run.sh does not know how to run $name"; return ;;
    esac
    if [[ $role == listen ]]; then
        sd_args=(listen --udp "$addr" "${sd_args[@]}")
        [[ $tr == udp ]] || sd_args+=(--tcp "$addr")
    else
        [[ $tr == udp ]] || sd_args+=(--transport tcp)
    fi
    sd_args+=("${SIPDROP_EXTRA[@]}")

    if [[ $role == listen ]]; then
        # sipdrop is the server (UAS), sipp the client (UAC) and the checking side.
        snames=(sipp)
        srcs=(none)
        sipp_args "$dir" sipp "$tr" "$cport" || { fail "$id" "no free port for sipp"; return; }
        local sipp_cmd=(sipp -sf "$scenario" "${SIPP_ARGS[@]}" -s sipdrop "$addr")
        {
            echo "# server (start it first):"
            cmdline "$SIPDROP" "${sd_args[@]}"
            echo "# client, the checking side:"
            cmdline timeout "$((SIPP_TIMEOUT + 10))" "${sipp_cmd[@]}"
        } >"$dir/commands.txt"

        start_bg "$dir/sipdrop.stdout" "$dir/sipdrop.stderr" "$SIPDROP" "${sd_args[@]}"
        sd_pid=$BG_PID
        rc=0
        wait_listening "$tr" "${ports[0]}" "$sd_pid" "$LISTEN_WAIT" || rc=$?
        if ((rc == 1)); then
            wait_exit "$sd_pid" 1 || true
            why+=("sipdrop exited (status $WAIT_RC) before listening on $tr $addr")
        elif ((rc == 2)); then
            why+=("sipdrop not listening on $tr $addr after ${LISTEN_WAIT}s")
            kill_group "$sd_pid"
        else
            start_bg "$dir/sipp.stdout" "$dir/sipp.stderr" \
                timeout -k 5 "$((SIPP_TIMEOUT + 10))" "${sipp_cmd[@]}"
            spids=("$BG_PID")
            if wait_exit "${spids[0]}" "$((SIPP_TIMEOUT + 20))"; then
                srcs=("$WAIT_RC")
            else
                kill_group "${spids[0]}"
                srcs=(124)
            fi
            # sipp done: with --max-calls 1 sipdrop must now exit by itself.
            if ((srcs[0] == 0)); then
                if wait_exit "$sd_pid" "$SIPDROP_EXIT_WAIT"; then
                    sd_rc=$WAIT_RC
                else
                    why+=("sipdrop did not exit within ${SIPDROP_EXIT_WAIT}s after the call (--max-calls 1)")
                    kill_group "$sd_pid"
                fi
            else
                # The case has failed already; give sipdrop a moment, then stop it.
                if wait_exit "$sd_pid" 2; then
                    sd_rc=$WAIT_RC
                else
                    kill_group "$sd_pid"
                    sd_rc="killed"
                fi
            fi
        fi
    else
        # sipp is the server (UAS, one process per callee) and the checking side, sipdrop the
        # client (UAC). Several callees: sipp_a, sipp_b, sipp_c (logs and messages).
        local letters=(a b c d e f g h) up=1 sname
        echo "# server(s), the checking side (start them first):" >"$dir/commands.txt"
        for ((i = 0; i < nsrv; i++)); do
            sname=sipp
            ((nsrv == 1)) || sname=sipp_${letters[i]}
            sipp_args "$dir" "$sname" "$tr" "${ports[i]}" || { why+=("no free port for sipp"); up=0; break; }
            local sipp_cmd=(sipp -sf "$scenario" "${SIPP_ARGS[@]}")
            cmdline "${sipp_cmd[@]}" >>"$dir/commands.txt"
            start_bg "$dir/$sname.stdout" "$dir/$sname.stderr" \
                timeout -k 5 "$((SIPP_TIMEOUT + 10))" "${sipp_cmd[@]}"
            snames+=("$sname")
            spids+=("$BG_PID")
            srcs+=(none)
        done
        {
            echo "# client:"
            cmdline timeout "$SIPDROP_TIMEOUT" "$SIPDROP" "${sd_args[@]}"
        } >>"$dir/commands.txt"

        for ((i = 0; up && i < ${#spids[@]}; i++)); do
            rc=0
            wait_listening "$tr" "${ports[i]}" "${spids[i]}" "$LISTEN_WAIT" || rc=$?
            ((rc == 0)) || { why+=("${snames[i]} (server) not listening on $tr ${addrs[i]}"); up=0; }
        done
        if ((!up)); then
            for ((i = 0; i < ${#spids[@]}; i++)); do
                wait_exit "${spids[i]}" 1 || kill_group "${spids[i]}"
            done
        else
            start_bg "$dir/sipdrop.stdout" "$dir/sipdrop.stderr" \
                timeout -k 5 "$SIPDROP_TIMEOUT" "$SIPDROP" "${sd_args[@]}"
            sd_pid=$BG_PID
            # Wait for sipdrop; but once every sipp has exited and one of them failed, the case
            # has failed: give sipdrop a moment, then stop it.
            local deadline sipp_done=0 sipp_failed=0 p
            now_ms
            deadline=$((NOW_MS + (SIPDROP_TIMEOUT + 10) * 1000))
            while alive "$sd_pid"; do
                if ((!sipp_done)); then
                    sipp_done=1
                    for p in "${spids[@]}"; do ! alive "$p" || sipp_done=0; done
                    if ((sipp_done)); then
                        for ((i = 0; i < ${#spids[@]}; i++)); do
                            wait_exit "${spids[i]}" 1 || true
                            srcs[i]=$WAIT_RC
                            ((WAIT_RC == 0)) || sipp_failed=1
                        done
                        ((!sipp_failed)) || break
                    fi
                fi
                now_ms
                ((NOW_MS < deadline)) || break
                sleep 0.05
            done
            if ((sipp_failed)); then
                if wait_exit "$sd_pid" 2; then sd_rc=$WAIT_RC; else kill_group "$sd_pid"; sd_rc=killed; fi
            elif wait_exit "$sd_pid" 0; then
                sd_rc=$WAIT_RC
            else
                kill_group "$sd_pid"
                sd_rc=124
                why+=("sipdrop ${sd_args[0]} did not finish within ${SIPDROP_TIMEOUT}s")
            fi
            [[ $sd_rc != 124 && $sd_rc != 137 ]] || [[ ${why[*]} == *"did not finish"* ]] ||
                why+=("sipdrop ${sd_args[0]} did not finish within ${SIPDROP_TIMEOUT}s")
            # sipdrop done: sipp has seen everything it will see.
            for ((i = 0; i < ${#spids[@]}; i++)); do
                [[ ${srcs[i]} == none ]] || continue
                if wait_exit "${spids[i]}" "$((SIPP_TIMEOUT + 20))"; then
                    srcs[i]=$WAIT_RC
                else
                    kill_group "${spids[i]}"
                    srcs[i]=124
                fi
            done
        fi
    fi

    for ((i = 0; i < ${#snames[@]}; i++)); do
        if [[ ${srcs[i]} != none && ${srcs[i]} != 0 ]]; then
            why+=("${snames[i]} exit ${srcs[i]}: $(sipp_meaning "${srcs[i]}")$(sipp_hint "$dir" "$scenario" "${snames[i]}")")
        fi
    done
    if [[ $sd_rc == killed ]]; then
        why+=("sipdrop still running 2s after sipp failed (stopped)")
    elif [[ $sd_rc != none && $sd_rc != "$want_rc" && $sd_rc != 124 && $sd_rc != 137 ]]; then
        why+=("sipdrop exit $sd_rc, cli.md wants $want_rc$rc_note")
    fi
    if [[ $sd_rc == "$want_rc" ]]; then
        if ((${#summary[@]})); then
            msg=$(check_summary_fields "$dir/sipdrop.stdout" "${summary[@]}") || why+=("$msg")
        fi
        if ((${#events[@]})); then
            msg=$(check_events "$dir/sipdrop.stdout" "${events[@]}") || why+=("events: $msg")
        fi
    fi

    if ((${#why[@]} == 0)); then
        pass "$id"
        [[ ${SIPP_KEEP_LOGS:-0} == 1 ]] || rm -rf "$dir"
    else
        local w
        msg=${why[0]}
        for w in "${why[@]:1}"; do msg+="; $w"; done
        fail "$id" "$msg"
        echo "    logs: ${dir#"$root"/}/ (commands.txt has the command lines)"
        for w in "${snames[@]}"; do
            show_tail "$dir/${w}_errors.log" 25
            show_tail "$dir/${w}_messages.log" 40
            [[ -s $dir/${w}_errors.log ]] || show_tail "$dir/$w.stderr" 10
        done
        show_tail "$dir/sipdrop.stdout" 10
        show_tail "$dir/sipdrop.stderr" 25
    fi
}

for c in "${selected[@]}"; do
    run_case "$c"
done
finish
