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

CASES=(uac_hangup uac_declined uas_checks_bye uac_dropped_by_listen)
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

# sipp_hint DIR SCENARIO: why sipp failed the call, in a few words, from its error log.
sipp_hint() {
    local f=$1/sipp_errors.log scenario=$2 line rx idx step
    [[ -s $f ]] || return 0
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
# Server side first, wait until it listens (bounded poll), then the client with a timeout, then
# collect both exit statuses and kill what is left. The case fails when the checking side (sipp)
# exits non-zero, when sipdrop's exit status is not the one cli.md gives (0 here), or when an
# extra check (the JSON summary of `sipdrop call`) fails.
run_case() {
    local id=$1 name=${1%/*} tr=${1#*/}
    local dir=$LOG_ROOT/${name}_$tr
    local sport cport addr scenario=$here/$name.xml
    local sd_args=() sd_pid sipp_pid sd_rc=none sipp_rc=none why=() rc
    rm -rf "$dir"
    mkdir -p "$dir"

    alloc_ports 1 || { fail "$id" "no free port"; return; }
    sport=$ALLOCATED_PORT
    alloc_ports 1 || { fail "$id" "no free port"; return; }
    cport=$ALLOCATED_PORT
    addr=$SIPP_LOOPBACK:$sport

    case $name in
        uac_hangup) sd_args=(listen --max-calls 1) ;;
        uac_declined) sd_args=(listen --on-offer decline --max-calls 1) ;;
        uac_dropped_by_listen) sd_args=(listen --drop-after 300 --uui 04a1 --max-calls 1) ;;
        uas_checks_bye)
            sd_args=(call "sip:uas@$addr" --drop-after 300 --uui 04a1b2c3 --events)
            [[ $tr == udp ]] || sd_args+=(--transport tcp)
            ;;
    esac
    if [[ ${sd_args[0]} == listen ]]; then
        sd_args=(listen --udp "$addr" "${sd_args[@]:1}")
        [[ $tr == udp ]] || sd_args+=(--tcp "$addr")
    fi
    sd_args+=("${SIPDROP_EXTRA[@]}")

    if [[ ${sd_args[0]} == listen ]]; then
        # sipdrop is the server (UAS), sipp the client (UAC) and the checking side.
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
        wait_listening "$tr" "$sport" "$sd_pid" "$LISTEN_WAIT" || rc=$?
        if ((rc == 1)); then
            wait_exit "$sd_pid" 1 || true
            why+=("sipdrop exited (status $WAIT_RC) before listening on $tr $addr")
        elif ((rc == 2)); then
            why+=("sipdrop not listening on $tr $addr after ${LISTEN_WAIT}s")
            kill_group "$sd_pid"
        else
            start_bg "$dir/sipp.stdout" "$dir/sipp.stderr" \
                timeout -k 5 "$((SIPP_TIMEOUT + 10))" "${sipp_cmd[@]}"
            sipp_pid=$BG_PID
            if wait_exit "$sipp_pid" "$((SIPP_TIMEOUT + 20))"; then
                sipp_rc=$WAIT_RC
            else
                kill_group "$sipp_pid"
                sipp_rc=124
            fi
            # sipp done: with --max-calls 1 sipdrop must now exit by itself.
            if ((sipp_rc == 0)); then
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
        # sipp is the server (UAS) and the checking side, sipdrop the client (UAC).
        sipp_args "$dir" sipp "$tr" "$sport" || { fail "$id" "no free port for sipp"; return; }
        local sipp_cmd=(sipp -sf "$scenario" "${SIPP_ARGS[@]}")
        {
            echo "# server, the checking side (start it first):"
            cmdline "${sipp_cmd[@]}"
            echo "# client:"
            cmdline timeout "$SIPDROP_TIMEOUT" "$SIPDROP" "${sd_args[@]}"
        } >"$dir/commands.txt"

        start_bg "$dir/sipp.stdout" "$dir/sipp.stderr" \
            timeout -k 5 "$((SIPP_TIMEOUT + 10))" "${sipp_cmd[@]}"
        sipp_pid=$BG_PID
        rc=0
        wait_listening "$tr" "$sport" "$sipp_pid" "$LISTEN_WAIT" || rc=$?
        if ((rc != 0)); then
            wait_exit "$sipp_pid" 1 || kill_group "$sipp_pid"
            why+=("sipp (server) not listening on $tr $addr")
        else
            start_bg "$dir/sipdrop.stdout" "$dir/sipdrop.stderr" \
                timeout -k 5 "$SIPDROP_TIMEOUT" "$SIPDROP" "${sd_args[@]}"
            sd_pid=$BG_PID
            if wait_exit "$sd_pid" "$((SIPDROP_TIMEOUT + 10))"; then
                sd_rc=$WAIT_RC
            else
                kill_group "$sd_pid"
                sd_rc=124
            fi
            ((sd_rc != 124 && sd_rc != 137)) ||
                why+=("sipdrop call did not finish within ${SIPDROP_TIMEOUT}s")
            # sipdrop done: sipp has seen everything it will see.
            if wait_exit "$sipp_pid" "$((SIPP_TIMEOUT + 20))"; then
                sipp_rc=$WAIT_RC
            else
                kill_group "$sipp_pid"
                sipp_rc=124
            fi
        fi
    fi

    if [[ $sipp_rc != none && $sipp_rc != 0 ]]; then
        why+=("sipp exit $sipp_rc: $(sipp_meaning "$sipp_rc")$(sipp_hint "$dir" "$scenario")")
    fi
    if [[ $sd_rc != none && $sd_rc != 0 && $sd_rc != 124 && $sd_rc != 137 ]]; then
        why+=("sipdrop exit $sd_rc, cli.md wants 0")
    fi
    if [[ $name == uas_checks_bye && $sd_rc == 0 ]]; then
        local msg
        msg=$(check_summary "$dir/sipdrop.stdout" 1 1) || why+=("$msg")
    fi

    if ((${#why[@]} == 0)); then
        pass "$id"
        [[ ${SIPP_KEEP_LOGS:-0} == 1 ]] || rm -rf "$dir"
    else
        local msg=${why[0]} w
        for w in "${why[@]:1}"; do msg+="; $w"; done
        fail "$id" "$msg"
        echo "    logs: ${dir#"$root"/}/ (commands.txt has the command lines)"
        show_tail "$dir/sipp_errors.log" 25
        show_tail "$dir/sipp_messages.log" 40
        [[ -s $dir/sipp_errors.log ]] || show_tail "$dir/sipp.stderr" 10
        show_tail "$dir/sipdrop.stdout" 10
        show_tail "$dir/sipdrop.stderr" 25
    fi
}

for c in "${selected[@]}"; do
    run_case "$c"
done
finish
