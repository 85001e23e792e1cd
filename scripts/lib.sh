# Shared by the scripts: start the loopback server.
# Source it after `set -euo pipefail`; it sets `work` (a temporary directory removed on exit).

work=$(mktemp -d)
server_pid=
cleanup() {
  if [ -n "$server_pid" ]; then kill "$server_pid" 2>/dev/null || true; fi
  rm -rf "$work"
}
trap cleanup EXIT

# start_server BINARY WAIT_FOR_LINE ARGS...: runs the loopback server and waits until it prints a
# line starting with WAIT_FOR_LINE; its output is in $work/server.out and its URL in $base.
start_server() {
  local binary=$1 wait_for=$2; shift 2
  "$binary" --port 0 "$@" >"$work/server.out" &
  server_pid=$!
  for _ in $(seq 1 100); do
    grep -q "^$wait_for" "$work/server.out" 2>/dev/null && break
    sleep 0.05
  done
  base=$(sed -n 's/^listening on //p' "$work/server.out")
  if [ -z "$base" ] || ! grep -q "^$wait_for" "$work/server.out"; then
    echo "FAIL: the loopback server did not start" >&2
    exit 1
  fi
}
