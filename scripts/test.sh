#!/usr/bin/env bash
# The test command of sipdrop (CI runs it through .ci/run): installs what is missing, builds,
# runs the unit and integration tests, the lints, the docs, then the sipp acceptance suite, the
# interop cases with Kamailio and baresip (tests/interop) and the conformance corpora (tests/corpus:
# RFC 4475, PROTOS; skipped where unshare -n is denied).
#
#   bash scripts/test.sh
#
# Every step runs even when an earlier one failed (except those that need the release build),
# each prints one line "ok|FAILED|skipped STEP", and the script exits non-zero if any step did
# not pass. SKIP_SIPP_SELFTEST=1 leaves out the self-test of the sipp suite (for quick local
# runs; CI runs it).
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."
root=$PWD
target=${CARGO_TARGET_DIR:-$root/target}
[[ $target == /* ]] || target=$root/$target

steps=()
failed_steps=()
note() { printf '\n==> %s\n' "$*"; }
record() { # STEP STATUS SECONDS
    local line
    line=$(printf '%-8s %s (%ss)' "$2" "$1" "$3")
    echo "$line"
    steps+=("$line")
    [[ $2 != FAILED ]] || failed_steps+=("$1")
}
# run_step NAME CMD...: run CMD, record ok/FAILED with its duration.
run_step() {
    local name=$1 start=$SECONDS rc=0
    shift
    note "$name: $*"
    "$@" || rc=$?
    if ((rc == 0)); then
        record "$name" ok $((SECONDS - start))
    else
        echo "step $name failed with exit status $rc"
        record "$name" FAILED $((SECONDS - start))
    fi
    return "$rc"
}

# --- tools -----------------------------------------------------------------------------------
apt_updated=0
apt_install() { # PACKAGE...
    local sudo=()
    if ((EUID != 0)); then
        command -v sudo >/dev/null 2>&1 || { echo "need root (or sudo) to install: $*" >&2; return 1; }
        sudo=(sudo)
    fi
    if ((apt_updated == 0)); then
        "${sudo[@]}" apt-get update -q
        apt_updated=1
    fi
    DEBIAN_FRONTEND=noninteractive "${sudo[@]}" apt-get install -y -q --no-install-recommends "$@"
}
install_tools() {
    local missing=()
    command -v sipp >/dev/null 2>&1 || missing+=(sip-tester)
    command -v kamailio >/dev/null 2>&1 || missing+=(kamailio)
    command -v baresip >/dev/null 2>&1 || missing+=(baresip-core)
    command -v setsid >/dev/null 2>&1 || missing+=(util-linux)
    command -v timeout >/dev/null 2>&1 || missing+=(coreutils)
    command -v awk >/dev/null 2>&1 || missing+=(mawk)
    if ((${#missing[@]})); then
        apt_install "${missing[@]}"
    fi
    command -v cargo >/dev/null 2>&1 || { echo "cargo not found: install a Rust toolchain" >&2; return 1; }
    cargo clippy --version >/dev/null 2>&1 || { echo "cargo clippy not found (rustup component add clippy)" >&2; return 1; }
    cargo fmt --version >/dev/null 2>&1 || { echo "cargo fmt not found (rustup component add rustfmt)" >&2; return 1; }
    echo "sipp: $(sipp -v 2>&1 | grep -m1 -o "SIPp v[^ ]*" || true); $(kamailio -v 2>/dev/null | head -n 1); $(cargo --version); $(rustc --version)"
}

run_step tools install_tools || true
run_step build cargo build --release --workspace --locked && built=1 || built=0
run_step test cargo test --workspace --locked || true
run_step clippy cargo clippy --workspace --all-targets --locked -- -D warnings || true
run_step fmt cargo fmt --all -- --check || true
run_step doc env RUSTDOCFLAGS="-D warnings" cargo doc --workspace --no-deps --locked || true
if [[ ${SKIP_SIPP_SELFTEST:-0} == 1 ]]; then
    record sipp-selftest skipped 0
else
    run_step sipp-selftest bash tests/sipp/selftest.sh || true
fi
# not_built STEP: STEP needs the release binary, whose build failed (it would test a stale one).
not_built() {
    note "$1: not run, the release build failed (it would test a stale binary)"
    record "$1" skipped 0
    failed_steps+=("$1 (not run: build failed)")
}
if ((built)); then
    run_step sipp env SIPDROP="$target/release/sipdrop" bash tests/sipp/run.sh || true
    # Real peers: two sipdrop processes through Kamailio (a record-routing proxy), and baresip.
    run_step interop env SIPDROP="$target/release/sipdrop" bash tests/interop/run.sh || true
    # RFC 4475 torture messages and PROTOS c07-sip INVITEs, in a loopback-only network namespace.
    if corpus_why=$(bash tests/corpus/run.sh --can-run); then
        run_step corpus env SIPDROP="$target/release/sipdrop" bash tests/corpus/run.sh || true
    else
        note "corpus: not run: ${corpus_why#skipped corpus: }"
        record corpus skipped 0
    fi
else
    not_built sipp
    not_built interop
    not_built corpus
fi

note "summary"
printf '%s\n' "${steps[@]}"
if ((${#failed_steps[@]})); then
    echo "test.sh: FAILED: ${failed_steps[*]}"
    exit 1
fi
echo "test.sh: all steps passed"
