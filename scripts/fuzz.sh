#!/usr/bin/env bash
# CI's fuzzing step: builds the libFuzzer targets of fuzz/ with clang, ASan and UBSan
# (build/fuzz), then runs each for a bounded time on a fresh copy of its seeds (fuzz/corpus/
# and, for the JSON targets, the sample payloads of tests/fixtures/), one per core at a time.
# Fails on any crash, broken invariant, leak, timeout, out-of-memory or sanitizer report; prints
# one line per target. Inputs that failed are kept in build/fuzz/artifacts/.
#   scripts/fuzz.sh [seconds per target, default 30] [target...]
set -euo pipefail
source "$(dirname "$0")/lib.sh"
ROOT=$(repo_root)
cd "$ROOT"

seconds=${1:-30}
shift || true
bash scripts/install-deps.sh --fuzz
dir=build/fuzz
build_service "$dir" Debug -DCMAKE_CXX_COMPILER=clang++ -DPBX_FUZZ=ON -DPBX_BUILD_TESTS=OFF \
  -DPBX_BUILD_BENCH=OFF

targets=("$@")
if [ ${#targets[@]} -eq 0 ]; then
  for f in fuzz/*.cpp; do targets+=("$(basename "$f" .cpp)"); done
fi
json_targets=" voice_json json_body webhook_body admin_config "
fixtures="$ROOT/tests/fixtures"

work=$(mktemp -d)
# An interrupted run leaves no fuzzer running behind it.
trap 'kill $(jobs -p) 2>/dev/null || true; wait; rm -rf "$work"' EXIT
artifacts="$ROOT/$dir/artifacts"
mkdir -p "$artifacts"
export ASAN_OPTIONS=detect_leaks=1:abort_on_error=1:symbolize=1
export UBSAN_OPTIONS=halt_on_error=1:abort_on_error=1:print_stacktrace=1
command -v llvm-symbolizer >/dev/null || export ASAN_SYMBOLIZER_PATH=/usr/lib/llvm-14/bin/llvm-symbolizer

stat() { sed -n "s/^stat::$1: *//p" "$2" | tail -n 1; }

# Runs one target; writes its summary line to $work/<target>.result.
fuzz_one() {
  local t=$1 corpus="$work/$t" log="$work/$t.log" rc=0 dict=() last cov ft result=ok
  mkdir -p "$corpus"
  cp fuzz/corpus/"$t"/* "$corpus"/
  if [[ $json_targets == *" $t "* ]]; then
    dict=(-dict=fuzz/json.dict)
    cp "$fixtures"/*.json "$corpus"/
  fi
  "$dir/fuzz/fuzz_$t" "$corpus" "${dict[@]}" -max_total_time="$seconds" -timeout=10 \
    -rss_limit_mb=2048 -detect_leaks=1 -print_final_stats=1 \
    -artifact_prefix="$artifacts/$t-" >"$log" 2>&1 || rc=$?
  last=$(grep -E '^#[0-9]+' "$log" | tail -n 1 || true)
  cov=$(sed -n 's/.* cov: \([0-9]*\).*/\1/p' <<<"$last")
  ft=$(sed -n 's/.* ft: \([0-9]*\).*/\1/p' <<<"$last")
  if [ "$rc" -ne 0 ] || grep -qE 'ERROR: (libFuzzer|AddressSanitizer|LeakSanitizer)|runtime error:' "$log"; then
    result="FAILED (exit $rc)"
  fi
  printf '%-16s %12s %10s %8s %8s  %s\n' "$t" "$(stat number_of_executed_units "$log")" \
    "$(stat average_exec_per_sec "$log")" "${cov:-?}" "${ft:-?}" "$result" >"$work/$t.result"
}

for t in "${targets[@]}"; do
  while [ "$(jobs -rp | wc -l)" -ge "$(nproc)" ]; do wait -n || true; done
  fuzz_one "$t" &
done
wait

failed=0
printf '%-16s %12s %10s %8s %8s  %s\n' target executions "execs/s" cov features result
for t in "${targets[@]}"; do
  line=$(cat "$work/$t.result" 2>/dev/null || printf '%-16s did not run' "$t")
  echo "$line"
  if [[ $line != *" ok" ]]; then
    failed=1
    grep -E -B2 -A30 'ERROR:|runtime error:|invariant broken' "$work/$t.log" 2>/dev/null |
      head -n 60 >&2 || true
  fi
done
[ "$failed" -eq 0 ] || { echo "fuzzing failed; inputs kept in $artifacts" >&2; exit 1; }
