#!/usr/bin/env bash
# The compose file refuses to start without the database and Redis passwords and the secret key
# it was given,
# runs Redis with a password that the service uses, and publishes nothing but the service's port,
# on the host's loopback unless told otherwise.
#   tests/deploy/compose_secrets.sh DOCKER_COMPOSE COMPOSE_FILE
set -euo pipefail
compose=$1
file=$2

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
# An empty env file: the outcome must not depend on a .env the developer keeps beside the file.
: >"$work/empty.env"
fail() { echo "FAIL: $*" >&2; exit 1; }

# Renders the file with exactly the given variables (the caller's environment is not seen).
render() { env -i PATH="$PATH" HOME="$work" "$@" "$compose" --env-file "$work/empty.env" -f "$file" config; }

refused() {
  local missing=$1
  shift
  if render "$@" >"$work/out" 2>&1; then fail "compose config succeeds without $missing"; fi
  grep -q "Missing mandatory value.*$missing\|required variable $missing\|$missing.*(see README" \
    "$work/out" || fail "the refusal does not name $missing: $(cat "$work/out")"
}
key=$(printf 'k%.0s' {1..64})
refused POSTGRES_PASSWORD REDIS_PASSWORD=redis-secret-2 PBX_SECRET_KEY="$key"
refused REDIS_PASSWORD POSTGRES_PASSWORD=pg-secret-1 PBX_SECRET_KEY="$key"
refused PBX_SECRET_KEY POSTGRES_PASSWORD=pg-secret-1 REDIS_PASSWORD=redis-secret-2

given=(POSTGRES_PASSWORD=pg-secret-1 REDIS_PASSWORD=redis-secret-2 PBX_SECRET_KEY="$key")
render "${given[@]}" >"$work/default.yml"
render "${given[@]}" PBX_PUBLISH_ADDRESS=0.0.0.0 PBX_PUBLISH_PORT=9090 >"$work/public.yml"

python3 - "$work/default.yml" "$work/public.yml" "$key" <<'EOF'
import sys
import yaml


def published(port):
    """(host address, host port, container port) of a port entry in either rendered form."""
    if isinstance(port, dict):  # compose v2: long syntax
        return (port.get("host_ip", ""), str(port.get("published", "")), str(port["target"]))
    parts = str(port).split("/")[0].split(":")  # compose v1: "[ip:]host:container[/proto]"
    if len(parts) == 3:
        return tuple(parts)
    if len(parts) == 2:
        return ("", parts[0], parts[1])
    return ("", "", parts[0])


def check(path, address, port):
    services = yaml.safe_load(open(path))["services"]
    problems = []
    for name in ("postgres", "redis"):
        if services[name].get("ports") or services[name].get("network_mode") == "host":
            problems.append(f"{name} is published")
    ports = [published(p) for p in services["app"].get("ports", [])]
    if ports != [(address, port, "8080")]:
        problems.append(f"app publishes {ports}, expected only {address}:{port}->8080")
    command = services["redis"].get("command")
    command = command if isinstance(command, list) else str(command).split()
    if "--requirepass" not in command or command[command.index("--requirepass") + 1] != "redis-secret-2":
        problems.append(f"redis runs without the given password: {command}")
    env = services["app"]["environment"]
    if env.get("PBX_REDIS_URL") != "redis://:redis-secret-2@redis:6379":
        problems.append(f"the service does not use the Redis password: {env.get('PBX_REDIS_URL')}")
    if env.get("PBX_SECRET_KEY") != sys.argv[3]:
        problems.append("the service does not get the given secret key")
    if ":pg-secret-1@" not in env.get("PBX_DATABASE_URL", ""):
        problems.append("the service does not use the given database password")
    if services["postgres"]["environment"].get("POSTGRES_PASSWORD") != "pg-secret-1":
        problems.append("postgres does not get the given password")
    if services["redis"].get("environment", {}).get("REDISCLI_AUTH") != "redis-secret-2":
        problems.append("the Redis health check does not authenticate")
    return [f"{path}: {p}" for p in problems]


problems = check(sys.argv[1], "127.0.0.1", "8080") + check(sys.argv[2], "0.0.0.0", "9090")
for p in problems:
    print("FAIL:", p, file=sys.stderr)
sys.exit(1 if problems else 0)
EOF
echo "compose: passwords and secret key required, Redis protected, only the service's port published"
