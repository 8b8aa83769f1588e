#!/usr/bin/env bash
# Conformance corpora against the sipdrop binary: the 49 RFC 4475 torture messages and the
# 4,527 PROTOS c07-sip INVITEs, sent over UDP to `sipdrop listen` on 127.0.0.1, inside a network
# namespace that has only loopback (the corpora name foreign hosts). See tests/corpus/README.md.
#
#   tests/corpus/run.sh                     both corpora
#   tests/corpus/run.sh rfc4475 [NAME...]   RFC 4475 only, or some files (wsinv, wsinv.dat)
#   tests/corpus/run.sh protos [N...]       PROTOS only, or some case numbers
#   tests/corpus/run.sh --can-run           only say whether a namespace can be made here
#
# Environment: SIPDROP (the binary; default target/release/sipdrop, or under $CARGO_TARGET_DIR),
# RFC4475_DIR (default ../shared/rfc4475 next to the repository), PROTOS_TAR (default
# ../shared/protos-c07-sip/cases.tar.xz), CORPUS_LOG_DIR (sipdrop's logs are kept there when
# something fails, or always with CORPUS_KEEP_LOGS=1; default target/corpus-logs), CORPUS_T1
# (sipdrop --t1, default 100 ms), PROTOS_WAIT_MS (wait for a final response per PROTOS case,
# default 100), CORPUS_TIMEOUT (backstop for the whole run, default 280 s).
#
# Exit status: 0 all passed, 1 a check failed, 2 bad use or missing input, 77 skipped (no
# network namespace can be made here: unshare -n is not permitted, or `ip` is missing).
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "$here/../.." && pwd)

target_dir=${CARGO_TARGET_DIR:-$root/target}
[[ $target_dir == /* ]] || target_dir=$root/$target_dir
SIPDROP=${SIPDROP:-$target_dir/release/sipdrop}
[[ $SIPDROP == /* ]] || SIPDROP=$PWD/$SIPDROP
RFC4475_DIR=${RFC4475_DIR:-$root/../shared/rfc4475}
PROTOS_TAR=${PROTOS_TAR:-$root/../shared/protos-c07-sip/cases.tar.xz}
CORPUS_LOG_DIR=${CORPUS_LOG_DIR:-$target_dir/corpus-logs}
[[ $CORPUS_LOG_DIR == /* ]] || CORPUS_LOG_DIR=$PWD/$CORPUS_LOG_DIR
: "${CORPUS_T1:=100}"
: "${PROTOS_WAIT_MS:=100}"
: "${CORPUS_TIMEOUT:=280}"

# namespace_cmd: set NS to the command that runs a program in a fresh network namespace (plain
# `unshare -n` as root, else `unshare -rn` with an unprivileged user namespace) and return 0, or
# set NS_WHY to the reason none can be made and return 1.
NS=()
NS_WHY=""
namespace_cmd() {
    local candidate err=""
    NS=()
    if ! command -v unshare >/dev/null 2>&1; then
        NS_WHY="unshare (util-linux) not found"
        return 1
    fi
    if ! command -v ip >/dev/null 2>&1; then
        NS_WHY="ip (iproute2) not found, needed to bring loopback up in the namespace"
        return 1
    fi
    for candidate in "unshare -n" "unshare -rn"; do
        read -r -a NS <<<"$candidate"
        if err=$("${NS[@]}" -- ip link set lo up 2>&1); then
            return 0
        fi
    done
    NS=()
    NS_WHY="unshare -n is not permitted here (${err//$'\n'/ })"
    return 1
}

if ! namespace_cmd; then
    echo "skipped corpus: $NS_WHY"
    exit 77
fi
if [[ ${1:-} == --can-run ]]; then
    echo "corpus: can run (network namespace: ${NS[*]})"
    exit 0
fi

missing=()
[[ -x $SIPDROP ]] || missing+=("sipdrop binary $SIPDROP (cargo build --release -p sipdrop)")
[[ -d $RFC4475_DIR ]] || missing+=("RFC 4475 corpus $RFC4475_DIR")
[[ -f $PROTOS_TAR ]] || missing+=("PROTOS cases $PROTOS_TAR")
command -v python3 >/dev/null 2>&1 || missing+=("python3")
command -v timeout >/dev/null 2>&1 || missing+=("timeout (coreutils)")
if ((${#missing[@]})); then
    printf 'run.sh: missing: %s\n' "${missing[@]}" >&2
    echo "0 passed, 1 failed"
    exit 2
fi

log_dir=$CORPUS_LOG_DIR/run-$(date +%Y%m%d-%H%M%S)-$$
echo "corpus: network namespace via '${NS[*]}', loopback only; sipdrop $SIPDROP"
keep=()
[[ ${CORPUS_KEEP_LOGS:-0} == 1 ]] && keep=(--keep-logs)
rc=0
# Inside the namespace: loopback up, then the driver (it checks that only lo exists).
timeout --kill-after=10 "$CORPUS_TIMEOUT" "${NS[@]}" -- bash -c \
    'ip link set lo up && exec python3 "$@"' bash "$here/driver.py" \
    --sipdrop "$SIPDROP" --rfc4475 "$RFC4475_DIR" --protos "$PROTOS_TAR" \
    --t1 "$CORPUS_T1" --protos-wait-ms "$PROTOS_WAIT_MS" --log-dir "$log_dir" \
    ${keep[@]+"${keep[@]}"} "$@" || rc=$?
if ((rc == 124 || rc == 137)); then
    echo "run.sh: the corpus run exceeded CORPUS_TIMEOUT=${CORPUS_TIMEOUT}s and was stopped"
    echo "0 passed, 1 failed"
fi
exit "$rc"
