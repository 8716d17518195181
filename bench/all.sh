#!/usr/bin/env bash
# Every figure of the benchmarks in one table: voice routing (voice.sh), durable webhook
# ingestion (webhooks.sh), whole calls mixing them (mixed.sh) and voice routing while admin
# reports run (isolation.sh), each beside its baseline from the same run. Each part runs on its own throw-away Postgres and Redis; their own
# tables go to stderr as they finish, the combined one to stdout at the end.
#   bench/all.sh [seconds per run, default 10] [repetitions, default 3]
set -euo pipefail
source "$(dirname "$0")/lib.sh"
SECONDS_PER_RUN=${1:-10}
REPS=${2:-3}
started=$(date -u '+%Y-%m-%d %H:%M UTC')
export BENCH_ALL_RESULTS=$BENCH_DIR/all.tsv
build_bench
for part in voice webhooks mixed isolation; do
  echo "== bench/$part.sh $SECONDS_PER_RUN $REPS" >&2
  bash "$(repo_root)/bench/$part.sh" "$SECONDS_PER_RUN" "$REPS" >&2
done
printf 'bench/all.sh %s %s, %s to %s, %s cores, commit %s\n' "$SECONDS_PER_RUN" "$REPS" \
  "$started" "$(date -u '+%H:%M UTC')" "$(nproc)" "$(git -C "$(repo_root)" rev-parse --short HEAD)"
print_results "$BENCH_ALL_RESULTS"
