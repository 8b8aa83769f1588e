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
# fault | run.sh filter (empty: all 8 cases) | cases that must FAIL (NAME = both transports,
# NAME/TR = one); every other case run must PASS. What each fault does: selftest/fake-sipdrop.
# The correct rows run both transports (a smoke test of every scenario); the fault rows mostly
# one, as a header check does not depend on the transport.
ROWS=(
    "none||"
    "lenient||"
    "slow-start|$H|"
    "no-reason|udp|$D $B $L"
    "wrong-cause|udp|$D $B $L"
    "cause-prefix|udp|$D $B $L"
    "sip-reason-only|udp|$D $B $L"
    "reason-in-text|udp|$D $B $L"
    "no-uui|udp|$B $L"
    "wrong-uui|udp|$B $L"
    "uui-no-encoding|tcp|$B $L"
    "decline-486|udp|$D"
    "no-sdp|tcp|$H"
    "bye-481|udp|$H"
    "no-bye|$B $L udp|$B $L"
    "exit-1|udp|$H $D $B $L"
    "bad-summary|$H $B|$B"
    "no-summary|$B/tcp|$B"
    "hang|$H $B udp|$H $B"
    "no-listen|$H $B/udp|$H $B"
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
    if ((rc != 0)) && grep -q 'sipdrop binary not found' "$out" && grep -qx '0 passed, 8 failed' "$out"; then
        row_ok "missing-binary (run.sh fails: sipdrop binary not found)"
        rm -f "$out"
    else
        row_bad "missing-binary" "run.sh exit $rc"
        sed 's/^/    | /' "$out"
    fi

    rc=0
    bash "$here/run.sh" no_such_case >/dev/null 2>&1 || rc=$?
    if ((rc == 2)); then row_ok "bad-filter (exit 2)"; else row_bad "bad-filter" "exit $rc, wanted 2"; fi

    # --- the summary check of `sipdrop call`, both implementations ----------------------------
    tmp=$LOG_BASE/summary.txt
    for impl in auto grep; do
        [[ $impl == grep ]] || command -v python3 >/dev/null 2>&1 || continue
        problems=()
        while IFS='|' read -r want line; do
            printf '{"event":"call_state","call":1,"state":"idle","mode":null,"t_ms":3}\n%s\n' "$line" >"$tmp"
            got=0
            SIPP_SUMMARY_CHECK=$impl check_summary "$tmp" 1 1 >/dev/null || got=1
            [[ $got == "$want" ]] || problems+=("'$line' gave $got, wanted $want")
        done <<'EOF'
0|{"summary":{"attempted":1,"connected":1,"dropped":1,"failed":0,"modes":{}}}
0|{ "summary" : { "attempted" : 1, "connected" : 1, "dropped" : 1, "failed" : 0, "modes" : {"normal": 0} } }
1|{"summary":{"attempted":1,"connected":1,"dropped":0,"failed":0,"modes":{}}}
1|{"summary":{"attempted":1,"connected":0,"dropped":1,"failed":0,"modes":{}}}
1|{"summary":{"attempted":1,"connected":11,"dropped":1,"failed":0,"modes":{}}}
1|{"summary":{"attempted":1,"dropped":1,"failed":0,"modes":{}}}
1|{"event":"call_state","call":1,"state":"idle","mode":null,"t_ms":9}
1|summary connected 1 dropped 1
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
fi

rmdir "$LOG_BASE" 2>/dev/null || true
echo "selftest: $ok passed, $bad failed"
((bad == 0))
