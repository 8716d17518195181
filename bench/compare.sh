#!/usr/bin/env bash
# Before and after a change: runs benchmark parts for an earlier commit and for this tree, taking
# turns (old, new, old, new, ...) so that both meet the same machine, then prints each figure's
# median for both sides and the ratio new / old. The earlier commit is checked out in a
# throw-away worktree and built there (Release, its own build/bench).
#   bench/compare.sh OLD_COMMIT [seconds per run, default 10] [turns, default 3] [part...]
# Parts are bench/<part>.sh (default: voice webhooks mixed).
set -euo pipefail
source "$(dirname "$0")/lib.sh"
OLD=${1:?usage: bench/compare.sh OLD_COMMIT [seconds] [turns] [part...]}
SECONDS_PER_RUN=${2:-10}
TURNS=${3:-3}
shift $(($# < 3 ? $# : 3))
PARTS=("$@")
[ ${#PARTS[@]} -gt 0 ] || PARTS=(voice webhooks mixed)

NEW_TREE=$(repo_root)
OLD_TREE=$BENCH_DIR/old
git -C "$NEW_TREE" worktree add --detach "$OLD_TREE" "$OLD" >/dev/null 2>&1
trap 'git -C "$NEW_TREE" worktree remove --force "$OLD_TREE" >/dev/null 2>&1 || true; bench_cleanup' EXIT
old_short=$(git -C "$OLD_TREE" rev-parse --short HEAD)
new_short=$(git -C "$NEW_TREE" rev-parse --short HEAD)
started=$(date -u '+%Y-%m-%d %H:%M UTC')

for part in "${PARTS[@]}"; do
  for turn in $(seq "$TURNS"); do
    for side in old new; do
      tree=$OLD_TREE
      [ "$side" = new ] && tree=$NEW_TREE
      echo "== $side ($part, turn $turn of $TURNS)" >&2
      BENCH_ALL_RESULTS=$BENCH_DIR/$side.tsv bash "$tree/bench/$part.sh" "$SECONDS_PER_RUN" 1 >&2
    done
  done
done

printf 'bench/compare.sh %s %s %s %s, %s to %s, %s cores: old %s, new %s (medians of %s turns)\n' \
  "$OLD" "$SECONDS_PER_RUN" "$TURNS" "${PARTS[*]}" "$started" "$(date -u '+%H:%M UTC')" \
  "$(nproc)" "$old_short" "$new_short" "$TURNS"
# R and B rows: name, req/s, p50, p99 (tab-separated, as lib.sh records them).
awk -F'\t' '
  function median(list,   n, a, i, j, t) {
    n = split(list, a, " ")
    for (i = 2; i <= n; i++) for (j = i; j > 1 && a[j - 1] + 0 > a[j] + 0; j--) {
      t = a[j]; a[j] = a[j - 1]; a[j - 1] = t
    }
    return n % 2 ? a[(n + 1) / 2] : (a[n / 2] + a[n / 2 + 1]) / 2
  }
  function fixed(v, digits) { return v == "-" ? v : sprintf("%." digits "f", v) }
  function ratio(a, b) { return (a == "-" || b == "-" || b + 0 == 0) ? "-" : sprintf("%.2f", a / b) }
  ($1 == "R" || $1 == "B") {
    side = FILENAME ~ /old\.tsv$/ ? "old" : "new"
    name = ($1 == "B" ? "baseline: " : "") $2
    if (!(name in seen)) { seen[name] = 1; order[++count] = name }
    for (f = 3; f <= 5; f++) if ($f != "-") values[side, name, f] = values[side, name, f] " " $f
  }
  END {
    printf "%-52s %10s %10s %6s %9s %9s %6s\n", "", "old req/s", "new req/s", "ratio",
      "old p99", "new p99", "ratio"
    for (i = 1; i <= count; i++) {
      name = order[i]
      o3 = ("old", name, 3) in values ? median(values["old", name, 3]) : "-"
      n3 = ("new", name, 3) in values ? median(values["new", name, 3]) : "-"
      o5 = ("old", name, 5) in values ? median(values["old", name, 5]) : "-"
      n5 = ("new", name, 5) in values ? median(values["new", name, 5]) : "-"
      printf "%-52s %10s %10s %6s %9s %9s %6s\n", substr(name, 1, 52), fixed(o3, 0), fixed(n3, 0),
        ratio(n3, o3), fixed(o5, 2), fixed(n5, 2), ratio(n5, o5)
    }
  }' "$BENCH_DIR/old.tsv" "$BENCH_DIR/new.tsv"
