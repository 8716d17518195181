#!/usr/bin/env bash
# Installs every Debian package the service needs to build, run and be tested.
# The README commands, CI and the Dockerfile all call this one script, so they cannot drift.
#   scripts/install-deps.sh            build + runtime + local servers + test tools
#   scripts/install-deps.sh --build    only what building needs (container build stage)
#   scripts/install-deps.sh --runtime  only what the built binary needs (container image)
#   scripts/install-deps.sh --fuzz     what building needs, plus clang and libFuzzer (fuzz.sh)
# Building also installs the web console's pinned npm packages (web/package-lock.json) when npm
# is there; without them pbxd still builds, serving a page that says the console was not built.
# The whole suite also installs the OpenAPI linter's (tools/openapi-lint/package-lock.json).
set -euo pipefail

runtime_pkgs=(
  libpistache0 libpqxx-6.4 libhiredis0.14 libspdlog1.10 libfmt9 libpugixml1v5
  libssl3 libargon2-1 libcurl4 libdate-tz3 tzdata ca-certificates curl
)
build_pkgs=(
  build-essential cmake ninja-build pkg-config git
  libpistache-dev libpqxx-dev libhiredis-dev libspdlog-dev libfmt-dev libpugixml-dev
  nlohmann-json3-dev libssl-dev libargon2-dev libcli11-dev libhowardhinnant-date-dev
  libgtest-dev libgmock-dev libcurl4-openssl-dev tzdata
)
server_pkgs=(postgresql redis-server)
fuzz_pkgs=(clang libclang-rt-14-dev llvm-14)
tool_pkgs=(curl wrk nginx-light jq docker-compose clang-format clang-tidy procps)
# The web console's build (Node) and its browser tests (headless Chromium through WebDriver).
# Debian's nodejs and npm only when there is no npm yet: another Node (NodeSource's nodejs
# bundles npm) conflicts with Debian's npm package.
console_pkgs=()
command -v npm >/dev/null 2>&1 || console_pkgs=(nodejs npm)
browser_pkgs=(chromium chromium-driver python3-selenium)

# `npm ci` installs exactly each lockfile's packages: the web console's (web/) and, with the
# whole suite, the OpenAPI linter's (tools/openapi-lint/). A failure (no network, no npm) leaves
# the console out of the build, or the linter's test skipped, rather than failing.
install_npm_packages() {
  local root dir
  root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
  for dir in "$@"; do
    dir="$root/$dir"
    [ -f "$dir/package-lock.json" ] || continue
    if ! command -v npm >/dev/null 2>&1; then
      echo "npm not found: no npm packages for ${dir#"$root"/}" >&2
      return 0
    fi
    if [ -f "$dir/node_modules/.package-lock.json" ] &&
       [ "$dir/node_modules/.package-lock.json" -nt "$dir/package-lock.json" ]; then
      continue
    fi
    (cd "$dir" && npm ci --no-audit --no-fund --loglevel=error) ||
      echo "npm ci failed in ${dir#"$root"/}: going on without it" >&2
  done
}
install_npm_projects() {
  case "${1:-}" in
    --build) install_npm_packages web ;;
    "") install_npm_packages web tools/openapi-lint ;;
  esac
}

want=()
case "${1:-}" in
  --runtime) want=("${runtime_pkgs[@]}") ;;
  --build) want=("${build_pkgs[@]}" "${console_pkgs[@]}") ;;
  --fuzz) want=("${build_pkgs[@]}" "${fuzz_pkgs[@]}") ;;
  "") want=("${build_pkgs[@]}" "${server_pkgs[@]}" "${tool_pkgs[@]}" "${console_pkgs[@]}"
            "${browser_pkgs[@]}") ;;
  *) echo "usage: $0 [--build|--runtime|--fuzz]" >&2; exit 2 ;;
esac

missing=()
for p in "${want[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ]; then
  install_npm_projects "${1:-}"
  exit 0
fi

SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO="sudo"
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -q
# Debian's postgresql package creates and starts a cluster on 5432; we run our own clusters
# on spare ports, so keep the packaged one from being created.
if printf '%s\n' "${missing[@]}" | grep -qx postgresql && [ ! -f /etc/postgresql-common/createcluster.conf ]; then
  $SUDO mkdir -p /etc/postgresql-common
  echo "create_main_cluster = false" | $SUDO tee /etc/postgresql-common/createcluster.conf >/dev/null
fi
$SUDO apt-get install -y -q --no-install-recommends "${missing[@]}"
install_npm_projects "${1:-}"
