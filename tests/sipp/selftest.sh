#!/usr/bin/env bash
# Self-test of the sipp suite: proves that tests/sipp/run.sh passes a correct peer AND fails a
# faulty one, for every check it makes. It needs no sipdrop: it runs run.sh against
# selftest/fake-sipdrop, a stand-in that plays each case with sipp (so this is also a
# sipp-vs-sipp smoke test of every scenario, over UDP and TCP) and that can be told to break
# one rule at a time (FAKE_SIPDROP_FAULT). For each fault the exact set of failing cases is
# known in advance; any other outcome is a self-test failure.
#
#   tests/sipp/selftest.sh            all rows
#   tests/sipp/selftest.sh no-uui     only the rows whose fault is named
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "$here/../.." && pwd)
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$here/lib.sh"

command -v sipp >/dev/null 2>&1 || { echo "selftest: sipp not found (Debian package sip-tester)" >&2; exit 1; }

LOG_BASE=$root/target/sipp-selftest-logs
rm -rf "$LOG_BASE"
mkdir -p "$LOG_BASE"

# Short bounds: the fakes answer at once, and the rows that test timeouts should not take long.
export SIPDROP=$here/selftest/fake-sipdrop
[[ -x $SIPDROP ]] || chmod +x "$SIPDROP" # in case a checkout lost the mode
export SIPP_TIMEOUT=7 SIPP_RECV_TIMEOUT=3000 SIPDROP_TIMEOUT=6 SIPDROP_EXIT_WAIT=4 LISTEN_WAIT=5

H=uac_hangup D=uac_declined B=uas_checks_bye L=uac_dropped_by_listen
CA=cancel_after_180 DB=drop_before_180 CX=crossing_2xx CF=conference_3 UC=uac_cancelled
HO=uac_holds
RB=remote_busy RD=remote_decline RN=remote_notfound RU=remote_unavailable RX=remote_busy_unexpected
OLD="$H $D $B $L" R="$RB $RD $RN $RU $RX"
# The cases that check a Reason header (declined: cause 21; the others: cause 16), and a UUI.
REASON="$D $B $L $CA $DB $CX $CF" UUI="$B $L $CA $CX $CF"
# fault | run.sh filter (empty: every case) | cases that must FAIL (NAME = both transports,
# NAME/TR = one); every other case run must PASS. What each fault does: selftest/fake-sipdrop.
# The correct row runs every case over both transports (a smoke test of every scenario); the
# fault rows mostly one transport, as a header check does not depend on it. no-reason and no-uui
# run every case that checks the header; the other header faults run a few of them, since every
# scenario checks a header with the same regexp (the scenario-regexps row below makes sure).
ROWS=(
    "none||"
    "lenient|udp|"
    "slow-start|$H $UC/udp|"
    "no-reason|$REASON udp|$REASON"
    "wrong-cause|$D $B $L $CA udp|$D $B $L $CA"
    "cause-prefix|$D $B $L $CA udp|$D $B $L $CA"
    "sip-reason-only|$D $B $L $CA udp|$D $B $L $CA"
    "reason-in-text|$D $B $L $CA udp|$D $B $L $CA"
    "no-uui|$UUI $DB udp|$UUI"
    "wrong-uui|$B $L $CA udp|$B $L $CA"
    "uui-no-encoding|$B $L $CX tcp|$B $L $CX"
    "decline-486|$OLD udp|$D"
    "no-sdp|$OLD tcp|$H"
    "hold-sendrecv|$H $HO udp|$HO"
    "bye-481|$OLD udp|$H"
    "no-bye|$B $L udp|$B $L"
    "early-cancel|$DB $RB/udp|$DB"
    "no-ack-487|$CA $DB udp|$CA $DB"
    "no-bye-after-2xx|$CX $CA/udp|$CX"
    "no-487|$UC|$UC"
    "no-cancelled-event|$UC udp|$UC"
    "expect-ignored|$RB $RX udp|$RX"
    "bad-modes|$R udp|$R"
    "conf-drop-two|$CF|$CF"
    "conf-no-conferenced|$CF udp|$CF"
    "conf-parent-first|$CF tcp|$CF"
    "exit-1|$OLD $CA $CX $RB $RX $CF $UC udp|$OLD $CA $CX $RB $CF $UC"
    "bad-summary|$H $B $CA $DB $CX $CF $RB $RX udp|$B $CA $DB $CX $CF"
    "no-summary|$B/tcp $CA/tcp $RB/udp $RX/udp $CF/udp|$B $CA $RB $RX $CF"
    "hang|$H $B udp|$H $B"
    "no-listen|$H $B/udp $UC/tcp|$H $B $UC"
)

ok=0
bad=0
row_ok() {
    echo "PASS selftest $1"
    ok=$((ok + 1))
}
row_bad() {
    echo "FAIL selftest $1 ($2)"
    bad=$((bad + 1))
}

# --- rows: run.sh against the fake, with one fault each -------------------------------------
for row in "${ROWS[@]}"; do
    IFS='|' read -r fault filter want_fail <<<"$row"
    if (($#)) && [[ " $* " != *" $fault "* ]]; then
        continue
    fi
    out=$LOG_BASE/$fault.out
    rc=0
    started=$SECONDS
    # shellcheck disable=SC2086 # the filter is a list of words
    FAKE_SIPDROP_FAULT=$fault SIPP_LOG_DIR=$LOG_BASE/$fault \
        bash "$here/run.sh" $filter >"$out" 2>&1 || rc=$?

    # Expected outcome of every case that ran.
    problems=()
    n_pass=0 n_fail=0
    while read -r verdict id _; do
        name=${id%/*}
        want=PASS
        for w in $want_fail; do
            if [[ $w == "$id" || $w == "$name" ]]; then want=FAIL; fi
        done
        [[ $verdict == PASS ]] && n_pass=$((n_pass + 1)) || n_fail=$((n_fail + 1))
        [[ $verdict == "$want" ]] || problems+=("$id $verdict, wanted $want")
    done < <(grep -E '^(PASS|FAIL) ' "$out")
    total=$((n_pass + n_fail))
    # shellcheck disable=SC2086
    want_total=$(bash "$here/run.sh" --list $filter | wc -l)
    ((total == want_total)) || problems+=("$total cases ran, wanted $want_total")
    grep -qx "$n_pass passed, $n_fail failed" "$out" || problems+=("no closing line '$n_pass passed, $n_fail failed'")
    if ((n_fail > 0 && rc == 0)) || ((n_fail == 0 && rc != 0)); then
        problems+=("run.sh exit status $rc with $n_fail failures")
    fi

    if ((${#problems[@]} == 0)); then
        row_ok "$fault ($n_pass passed and $n_fail failed, as expected; $((SECONDS - started))s)"
    else
        msg=${problems[0]}
        for p in "${problems[@]:1}"; do msg+="; $p"; done
        row_bad "$fault" "$msg"
        sed 's/^/    | /' "$out" | tail -n 60
    fi
    # Keep the logs of the rows that went wrong only.
    ((${#problems[@]})) || rm -rf "${LOG_BASE:?}/$fault" "$out"
done

# --- run.sh itself: arguments and a missing binary -------------------------------------------
if (($# == 0)); then
    out=$LOG_BASE/missing-binary.out
    rc=0
    SIPDROP=$LOG_BASE/no-such-sipdrop SIPP_LOG_DIR=$LOG_BASE/missing bash "$here/run.sh" >"$out" 2>&1 || rc=$?
    n_all=$(bash "$here/run.sh" --list | wc -l)
    if ((rc != 0)) && grep -q 'sipdrop binary not found' "$out" && grep -qx "0 passed, $n_all failed" "$out"; then
        row_ok "missing-binary (run.sh fails: sipdrop binary not found)"
        rm -f "$out"
    else
        row_bad "missing-binary" "run.sh exit $rc"
        sed 's/^/    | /' "$out"
    fi

    rc=0
    bash "$here/run.sh" no_such_case >/dev/null 2>&1 || rc=$?
    if ((rc == 2)); then row_ok "bad-filter (exit 2)"; else row_bad "bad-filter" "exit $rc, wanted 2"; fi

    # --- every scenario checks Reason and User-to-User with the same regexp --------------------
    # (only the cause and the hex bytes differ), so a fault the regexp must catch in one case
    # is caught in all: the header-fault rows above need not run every case.
    problems=()
    n_reason=$(grep -ho 'regexp="[^"]*[[]Rr[]][[]Ee[]][[]Aa[]][[]Ss[]][^"]*"' "$here"/*.xml | wc -l)
    v_reason=$(grep -ho 'regexp="[^"]*[[]Rr[]][[]Ee[]][[]Aa[]][[]Ss[]][^"]*"' "$here"/*.xml |
        sed -E 's/\*[0-9]+\(\[\^0-9\]\|\$\)"$/*N([^0-9]|$)"/' | sort -u | wc -l)
    n_uui=$(grep -ho 'regexp="[^"]*[[]Uu[]][[]Ss[]][[]Ee[]][[]Rr[]]-[^"]*"' "$here"/*.xml | wc -l)
    v_uui=$(grep -ho 'regexp="[^"]*[[]Uu[]][[]Ss[]][[]Ee[]][[]Rr[]]-[^"]*"' "$here"/*.xml |
        sed -E 's/&quot;\?[^&]*&quot;\?/X/' | sort -u | wc -l)
    # Reason: declined, checks_bye, dropped_by_listen, cancel_after_180, drop_before_180,
    # crossing_2xx (CANCEL and BYE); UUI: checks_bye, dropped_by_listen, cancel_after_180,
    # crossing_2xx (CANCEL and BYE). conference_3 runs uas_checks_bye.xml.
    ((n_reason == 7)) || problems+=("$n_reason Reason checks in the scenarios, wanted 7")
    ((v_reason == 1)) || problems+=("$v_reason different Reason regexps (other than the cause)")
    ((n_uui == 5)) || problems+=("$n_uui User-to-User checks in the scenarios, wanted 5")
    ((v_uui == 1)) || problems+=("$v_uui different User-to-User regexps (other than the bytes)")
    if ((${#problems[@]} == 0)); then
        row_ok "scenario-regexps ($n_reason Reason and $n_uui User-to-User checks, one regexp each)"
    else
        msg=${problems[0]}
        for p in "${problems[@]:1}"; do msg+="; $p"; done
        row_bad "scenario-regexps" "$msg"
    fi

    # --- the summary check of `sipdrop call`, both implementations ----------------------------
    # want (0 pass, 1 fail) | KEY=N checks | the last stdout line
    tmp=$LOG_BASE/summary.txt
    for impl in auto grep; do
        [[ $impl == grep ]] || command -v python3 >/dev/null 2>&1 || continue
        problems=()
        while IFS='|' read -r want checks line; do
            printf '{"event":"call_state","call":1,"state":"idle","mode":null,"t_ms":3}\n%s\n' "$line" >"$tmp"
            got=0
            # shellcheck disable=SC2086 # the checks are a list of words
            SIPP_SUMMARY_CHECK=$impl check_summary_fields "$tmp" $checks >/dev/null || got=1
            [[ $got == "$want" ]] || problems+=("'$line' ($checks) gave $got, wanted $want")
        done <<'EOF'
0|connected=1 dropped=1|{"summary":{"attempted":1,"connected":1,"dropped":1,"failed":0,"modes":{}}}
0|connected=1 dropped=1|{ "summary" : { "attempted" : 1, "connected" : 1, "dropped" : 1, "failed" : 0, "modes" : {"normal": 0} } }
1|connected=1 dropped=1|{"summary":{"attempted":1,"connected":1,"dropped":0,"failed":0,"modes":{}}}
1|connected=1 dropped=1|{"summary":{"attempted":1,"connected":0,"dropped":1,"failed":0,"modes":{}}}
1|connected=1 dropped=1|{"summary":{"attempted":1,"connected":11,"dropped":1,"failed":0,"modes":{}}}
1|connected=1 dropped=1|{"summary":{"attempted":1,"dropped":1,"failed":0,"modes":{}}}
1|connected=1 dropped=1|{"event":"call_state","call":1,"state":"idle","mode":null,"t_ms":9}
1|connected=1 dropped=1|summary connected 1 dropped 1
0|connected=0 dropped=0 modes.busy=1|{"summary":{"attempted":1,"connected":0,"dropped":0,"failed":1,"modes":{"busy":1}}}
0|dropped=0 modes.busy=1|{ "summary" : { "modes" : { "reject" : 0 , "busy" : 1 }, "dropped" : 0 } }
1|modes.busy=1|{"summary":{"attempted":1,"connected":0,"dropped":0,"failed":1,"modes":{"busy":2}}}
1|modes.busy=1|{"summary":{"attempted":1,"connected":0,"dropped":0,"failed":1,"modes":{"busy":11}}}
1|modes.busy=1|{"summary":{"attempted":1,"connected":0,"dropped":0,"failed":1,"modes":{"reject":1}}}
1|modes.busy=1|{"summary":{"attempted":1,"busy":1,"modes":{}}}
1|connected=0 dropped=0 modes.busy=1|{"summary":{"attempted":1,"connected":0,"dropped":1,"failed":0,"modes":{"busy":1}}}
EOF
        : >"$tmp"
        SIPP_SUMMARY_CHECK=$impl check_summary "$tmp" 1 1 >/dev/null && problems+=("empty stdout passed")
        if ((${#problems[@]} == 0)); then
            row_ok "summary-check-$impl (good lines pass, bad lines fail)"
        else
            msg=${problems[0]}
            for p in "${problems[@]:1}"; do msg+="; $p"; done
            row_bad "summary-check-$impl" "$msg"
        fi
    done
    rm -f "$tmp"

    # --- the event checks (conference_3, uac_cancelled) ---------------------------------------
    good=$LOG_BASE/events-good.txt
    tmp=$LOG_BASE/events.txt
    {
        for c in 1 2 3; do printf '{"event":"call_state","call":%d,"state":"dialing","mode":null,"t_ms":1}\n' "$c"; done
        for c in 1 2 3 4; do printf '{"event":"call_state","call":%d,"state":"connected","mode":"active","t_ms":2}\n' "$c"; done
        for c in 1 2 3; do printf '{"event":"call_state","call":%d,"state":"conferenced","mode":null,"t_ms":3}\n' "$c"; done
        echo '{"event":"reply","request":1,"result":"ok"}'
        for c in 1 2 3 4; do printf '{"event":"call_state","call":%d,"state":"idle","mode":null,"t_ms":4}\n' "$c"; done
        echo '{"summary":{"attempted":3,"connected":3,"dropped":3,"failed":0,"modes":{}}}'
    } >"$good"
    problems=()
    # events_case WANT NAME CHECK... -- SED-EXPRESSION...: the good file edited, then checked
    events_case() {
        local want=$1 name=$2 check=() got=0
        shift 2
        while [[ $1 != -- ]]; do check+=("$1"); shift; done
        shift
        sed "$@" "$good" >"$tmp"
        check_events "$tmp" "${check[@]}" >/dev/null || got=1
        [[ $got == "$want" ]] || problems+=("$name gave $got, wanted $want")
    }
    P='{"event":"call_state","call":4,"state":"idle","mode":null,"t_ms":4}'
    events_case 0 conference conference 3 -- -e ''
    events_case 0 conference-spaced conference 3 -- -e 's/,/ , /g; s/:/ : /g; s/"mode" : null , //'
    events_case 1 no-conferenced conference 3 -- -e '/"call":3,"state":"conferenced"/d'
    events_case 1 four-conferenced conference 3 -- -e "s/\"call\":4,\"state\":\"connected\"/\"call\":4,\"state\":\"conferenced\"/"
    events_case 1 no-participant-idle conference 3 -- -e '/"call":2,"state":"idle"/d'
    events_case 1 idle-before-conferenced conference 3 -- -e '/"call":2,"state":"idle"/d' \
        -e '/"call":2,"state":"conferenced"/i {"event":"call_state","call":2,"state":"idle","mode":null,"t_ms":3}'
    events_case 1 no-parent conference 3 -- -e '/"call":4,"state":"connected"/d'
    events_case 1 no-parent-idle conference 3 -- -e '/"call":4,"state":"idle"/d'
    events_case 1 parent-idle-first conference 3 -- -e '/"call":4,"state":"idle"/d' -e "/\"call\":1,\"state\":\"idle\"/i $P"
    # shellcheck disable=SC2016 # $i is sed's (insert before the last line)
    events_case 1 two-parents conference 3 -- -e '$i {"event":"call_state","call":5,"state":"connected","mode":"active","t_ms":5}'
    C='{"event":"call_state","call":7,"state":"disconnected","mode":"cancelled","t_ms":5}'
    events_case 0 cancelled disconnected cancelled -- -e "\$i $C"
    events_case 0 cancelled-spaced disconnected cancelled -- -e "\$i { \"mode\" : \"cancelled\" , \"state\" : \"disconnected\" , \"call\" : 7, \"event\" : \"call_state\" }"
    events_case 1 not-cancelled disconnected cancelled -- -e "\$i ${C/cancelled/normal}"
    events_case 1 cancelled-not-disconnected disconnected cancelled -- -e "\$i ${C/disconnected/idle}"
    # shellcheck disable=SC2016
    events_case 1 cancelled-info-only disconnected cancelled -- -e '$i {"event":"call_info","call":7,"state":"disconnected","mode":"cancelled"}'
    if ((${#problems[@]} == 0)); then
        row_ok "events-check (good event streams pass, bad ones fail)"
    else
        msg=${problems[0]}
        for p in "${problems[@]:1}"; do msg+="; $p"; done
        row_bad "events-check" "$msg"
    fi
    rm -f "$tmp" "$good"
fi

rmdir "$LOG_BASE" 2>/dev/null || true
echo "selftest: $ok passed, $bad failed"
((bad == 0))
