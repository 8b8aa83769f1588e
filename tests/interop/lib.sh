# shellcheck shell=bash disable=SC2034 # results are handed back in globals (SELECTED, LOG_ROOT...)
# Shared set-up of the interop scripts (kamailio.sh, baresip.sh): source it after setting
# CASES, then call `interop_setup NAME "$@"`. It also sources tests/sipp/lib.sh (ports,
# background processes, the summary checks).
#
# After interop_setup: root, SIPDROP (the binary, checked), SELECTED (the cases asked for, or
# all; an unknown name exits 2), LOG_ROOT (a fresh target/interop-logs/NAME, or under
# INTEROP_LOG_DIR), and every background process is killed on exit.
interop_here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "$interop_here/../.." && pwd)
# shellcheck source=../sipp/lib.sh
. "$interop_here/../sipp/lib.sh"

interop_setup() { # NAME CASE...
    local name=$1 c target_dir
    shift
    target_dir=${CARGO_TARGET_DIR:-$root/target}
    [[ $target_dir == /* ]] || target_dir=$root/$target_dir
    SIPDROP=${SIPDROP:-$target_dir/release/sipdrop}
    [[ -x $SIPDROP ]] || { echo "sipdrop binary not found: $SIPDROP" >&2; exit 1; }
    SELECTED=("$@")
    ((${#SELECTED[@]})) || SELECTED=("${CASES[@]}")
    for c in "${SELECTED[@]}"; do
        [[ " ${CASES[*]} " == *" $c "* ]] || { echo "unknown case $c; cases: ${CASES[*]}" >&2; exit 2; }
    done
    LOG_ROOT=${INTEROP_LOG_DIR:-$root/target/interop-logs}/$name
    rm -rf "$LOG_ROOT"
    mkdir -p "$LOG_ROOT"
    trap kill_all_bg EXIT
}

# module_dir GLOB: the folder of the first file whose path matches GLOB under the library
# folders (where a Debian package put its modules); empty when there is none.
module_dir() {
    local f
    f=$(find /usr/lib /usr/lib64 /usr/local/lib -path "$1" -print -quit 2>/dev/null || true)
    [[ -z $f ]] || dirname "$f"
}

# expect_summary FILE KEY=N...: FILE's last line is the JSON summary with these values; else
# the reason goes into the caller's `why` array. (The message is captured first: under
# `set -e` a failing command substitution inside an assignment would end the script.)
expect_summary() {
    local file=$1 msg
    shift
    msg=$(check_summary_fields "$file" "$@") || why+=("summary of ${file##*/}: $msg")
}

# log_has FILE MARK TEXT: the lines of FILE after line MARK contain TEXT (a fixed string). The
# whole tail is read (no early exit), so pipefail cannot turn a match into a failure.
log_has() {
    tail -n "+$(($2 + 1))" "$1" | grep -F -- "$3" >/dev/null
}
