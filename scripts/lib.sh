# Shared shell helpers for the scripts in this folder (sourced, not run).

repo_root() { cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd; }

pg_bindir() {
  local d
  d=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
  [ -n "$d" ] || { echo "PostgreSQL server binaries not found" >&2; return 1; }
  echo "$d"
}

# Runs a command as the postgres OS user when we are root (the server refuses to run as root).
as_pg() {
  if [ "$(id -u)" -eq 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

port_in_use() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

wait_for() {  # wait_for SECONDS DESCRIPTION COMMAND...
  local limit=$1 what=$2; shift 2
  local i
  for ((i = 0; i < limit * 10; i++)); do
    "$@" >/dev/null 2>&1 && return 0
    sleep 0.1
  done
  echo "timed out waiting for $what" >&2
  return 1
}

build_service() {  # build_service BUILD_DIR BUILD_TYPE [extra cmake args...]
  local dir=$1 type=$2; shift 2
  local gen=()
  command -v ninja >/dev/null && gen=(-G Ninja)
  [ -f "$dir/CMakeCache.txt" ] && gen=()
  cmake -S "$(repo_root)" -B "$dir" "${gen[@]}" -DCMAKE_BUILD_TYPE="$type" "$@" >/dev/null
  cmake --build "$dir" --parallel "$(nproc)"
}
