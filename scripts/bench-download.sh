#!/usr/bin/env bash
# Benchmark: downloading a 100 MiB attachment with the `download` example vs `curl -o`, from
# the loopback server, alternating, RUNS runs each. Reports median wall time and peak RSS and
# their ratios, and checks every downloaded copy against the original.
# Usage: scripts/bench-download.sh [RUNS]   (default 5)
set -euo pipefail

runs=${1:-5}
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
cargo build --quiet --release -p zoho-crm --example download -p zoho-crm-tests --bin loopback-server

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

record=3477061000005177002
file="$work/original.bin"
head -c $((100 * 1024 * 1024)) /dev/urandom >"$file"
original=$(sha256sum "$file" | cut -d' ' -f1)
id=$(curl -sS -X POST "$base/crm/v2/Leads/$record/Attachments" \
  -H "Authorization: Zoho-oauthtoken $token" -F "file=@$file" |
  python3 -c 'import json, sys; print(json.load(sys.stdin)["data"][0]["details"]["id"])')
[ -n "$id" ] || { echo "the upload failed" >&2; exit 1; }
rm -f "$file"

measure() {
  local out=$1 copy=$2; shift 2
  rm -f "$copy"
  local start=$EPOCHREALTIME
  /usr/bin/time -v -o "$work/time.txt" "$@" >"$work/cmd.out" 2>"$work/cmd.err" || {
    echo "command failed: $*" >&2; cat "$work/cmd.err" >&2; exit 1; }
  local end=$EPOCHREALTIME
  [ "$(sha256sum "$copy" | cut -d' ' -f1)" = "$original" ] || { echo "wrong bytes from: $*" >&2; exit 1; }
  local wall rss
  wall=$(awk -v a="$start" -v b="$end" 'BEGIN { printf "%.4f", b - a }')
  rss=$(awk -F': ' '/Maximum resident set size/ {print $2}' "$work/time.txt")
  echo "$wall $rss" >>"$out"
}

for i in $(seq 1 "$runs"); do
  measure "$work/sdk.txt" "$work/sdk.bin" target/release/examples/download --api-base "$base" \
    --token "$token" --module Leads --record "$record" --id "$id" -o "$work/sdk.bin"
  measure "$work/curl.txt" "$work/curl.bin" curl -sS -o "$work/curl.bin" \
    -H "Authorization: Zoho-oauthtoken $token" "$base/crm/v2/Leads/$record/Attachments/$id"
done

median() { sort -g | awk '{v[NR]=$1} END {print (NR%2) ? v[(NR+1)/2] : (v[NR/2]+v[NR/2+1])/2}'; }
sdk_wall=$(awk '{print $1}' "$work/sdk.txt" | median)
sdk_rss=$(awk '{print $2}' "$work/sdk.txt" | median)
curl_wall=$(awk '{print $1}' "$work/curl.txt" | median)
curl_rss=$(awk '{print $2}' "$work/curl.txt" | median)

echo "100 MiB download from the loopback server, $runs alternating runs each (medians)"
printf '%-28s %10s %14s\n' "" "wall (s)" "peak RSS (KiB)"
printf '%-28s %10s %14s\n' "download example (release)" "$sdk_wall" "$sdk_rss"
printf '%-28s %10s %14s\n' "curl -o" "$curl_wall" "$curl_rss"
awk -v a="$sdk_wall" -v b="$curl_wall" -v c="$sdk_rss" -v d="$curl_rss" \
  'BEGIN { printf "ratio example/curl: wall %.2fx, peak RSS %.2fx\n", a/b, c/d }'
