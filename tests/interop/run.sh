#!/usr/bin/env bash
# Interop with real peers from Debian's packages, on loopback: Kamailio as a record-routing
# proxy between two sipdrop processes (kamailio.sh), then baresip as the other user agent
# (baresip.sh). Fails when either fails; both always run.
set -uo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
rc=0
bash "$here/kamailio.sh" || rc=1
bash "$here/baresip.sh" || rc=1
exit "$rc"
