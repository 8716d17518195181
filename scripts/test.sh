#!/usr/bin/env bash
# The README's test command: installs what is missing, builds, and runs the whole suite through
# CTest. Integration and end-to-end tests start their own PostgreSQL, Redis and pbxd processes
# on free ports and stop them afterwards.
#   scripts/test.sh [extra ctest arguments]
#   PBX_SANITIZE=1 scripts/test.sh   the same under AddressSanitizer and UBSan
set -euo pipefail
source "$(dirname "$0")/lib.sh"
ROOT=$(repo_root)
cd "$ROOT"

bash scripts/install-deps.sh
if [ "${PBX_SANITIZE:-0}" = "1" ]; then
  dir=build/sanitize
  build_service "$dir" Debug -DPBX_SANITIZE=ON
else
  dir=build/test
  build_service "$dir" RelWithDebInfo
fi
cd "$dir"
ctest --output-on-failure --timeout 900 -j "$(nproc)" "$@"
