#!/usr/bin/env bash
# Benchmark: a 100 MiB upload with the `upload` example vs `curl -F`, against the loopback
# server, alternating, RUNS runs each. Reports median wall time and peak RSS and their ratios.
# Usage: scripts/bench-upload.sh [RUNS]   (default 5)
set -euo pipefail

runs=${1:-5}
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
cargo build --quiet --release -p zoho-crm --example upload -p zoho-crm-tests --bin loopback-server

work=$(mktemp -d)
server_pid=
cleanup() {
  [ -n "$server_pid" ] && kill "$server_pid" 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT

token=bench-token
target/release/loopback-server --port 0 --token "$token" >"$work/server.out" &
server_pid=$!
for _ in $(seq 1 100); do
  grep -q '^listening on ' "$work/server.out" 2>/dev/null && break
  sleep 0.05
done
base=$(sed -n 's/^listening on //p' "$work/server.out")
[ -n "$base" ] || { echo "the loopback server did not start" >&2; exit 1; }

file="$work/upload-100MiB.bin"
head -c $((100 * 1024 * 1024)) /dev/urandom >"$file"
record=3477061000005177002

# Runs a command under /usr/bin/time -v; appends "wall_seconds peak_rss_kib" to $1.
measure() {
  local out=$1; shift
  local start=$EPOCHREALTIME
  /usr/bin/time -v -o "$work/time.txt" "$@" >"$work/cmd.out" 2>"$work/cmd.err" || {
    echo "command failed: $*" >&2; cat "$work/cmd.err" >&2; exit 1; }
  local end=$EPOCHREALTIME
  grep -q '"SUCCESS"' "$work/cmd.out" || { echo "no SUCCESS from: $*" >&2; cat "$work/cmd.out" >&2; exit 1; }
  local wall rss
  # /usr/bin/time rounds wall time to 10 ms; bash's clock is finer.
  wall=$(awk -v a="$start" -v b="$end" 'BEGIN { printf "%.4f", b - a }')
  rss=$(awk -F': ' '/Maximum resident set size/ {print $2}' "$work/time.txt")
  echo "$wall $rss" >>"$out"
}

for i in $(seq 1 "$runs"); do
  measure "$work/sdk.txt" target/release/examples/upload --api-base "$base" --token "$token" \
    --module Leads --record "$record" "$file"
  measure "$work/curl.txt" curl -sS -X POST "$base/crm/v2/Leads/$record/Attachments" \
    -H "Authorization: Zoho-oauthtoken $token" -F "file=@$file"
done

median() { sort -g | awk '{v[NR]=$1} END {print (NR%2) ? v[(NR+1)/2] : (v[NR/2]+v[NR/2+1])/2}'; }
sdk_wall=$(awk '{print $1}' "$work/sdk.txt" | median)
sdk_rss=$(awk '{print $2}' "$work/sdk.txt" | median)
curl_wall=$(awk '{print $1}' "$work/curl.txt" | median)
curl_rss=$(awk '{print $2}' "$work/curl.txt" | median)

echo "100 MiB upload to the loopback server, $runs alternating runs each (medians)"
printf '%-28s %10s %14s\n' "" "wall (s)" "peak RSS (KiB)"
printf '%-28s %10s %14s\n' "upload example (release)" "$sdk_wall" "$sdk_rss"
printf '%-28s %10s %14s\n' "curl -F" "$curl_wall" "$curl_rss"
awk -v a="$sdk_wall" -v b="$curl_wall" -v c="$sdk_rss" -v d="$curl_rss" \
  'BEGIN { printf "ratio example/curl: wall %.2fx, peak RSS %.2fx\n", a/b, c/d }'
