#!/usr/bin/env bash
# clang-format (check, or --fix) and clang-tidy over the sources.
#   scripts/lint.sh          check formatting and run clang-tidy
#   scripts/lint.sh --fix    rewrite files with clang-format
#   scripts/lint.sh --format check formatting only (fast; part of the test suite)
set -euo pipefail
source "$(dirname "$0")/lib.sh"
cd "$(repo_root)"
mapfile -t files < <(git ls-files --cached --others --exclude-standard 'src/*.cpp' 'src/*.hpp' 'tests/*.cpp' 'tests/*.hpp' 'bench/*.cpp' 'fuzz/*.cpp' 'fuzz/*.hpp')
if [ "${1:-}" = "--fix" ]; then
  clang-format -i "${files[@]}"
  exit 0
fi
clang-format --dry-run --Werror "${files[@]}"
[ "${1:-}" = "--format" ] && exit 0
[ -f build/test/compile_commands.json ] || build_service build/test RelWithDebInfo
mapfile -t sources < <(git ls-files 'src/*.cpp')
clang-tidy -p build/test --quiet "${sources[@]}"
