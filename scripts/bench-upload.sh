#!/usr/bin/env bash
# Benchmark: a 100 MiB upload with the `upload` example vs `curl -F`, against the loopback
# server, alternating, RUNS runs each. Reports median wall time and peak RSS and their ratios.
# Usage: scripts/bench-upload.sh [RUNS]   (default 5)
set -euo pipefail

runs=${1:-5}
cd "$(dirname "$0")/.."
. scripts/lib.sh
cargo build --quiet --release -p zoho-crm --example upload -p zoho-crm-testkit --bin loopback-server

token=bench-token
start_server target/release/loopback-server 'listening on ' --token "$token"
file="$work/upload-100MiB.bin"
head -c $((100 * 1024 * 1024)) /dev/urandom >"$file"
record=3477061000005177002

succeeded() { grep -q '"SUCCESS"' "$work/cmd.out" || { echo "no SUCCESS from $1" >&2; exit 1; }; }
for _ in $(seq 1 "$runs"); do
  timed "$work/sdk.txt" target/release/examples/upload --api-base "$base" --token "$token" \
    --module Leads --record "$record" "$file"
  succeeded "the example"
  timed "$work/curl.txt" curl -sS -X POST "$base/crm/v2/Leads/$record/Attachments" \
    -H "Authorization: Zoho-oauthtoken $token" -F "file=@$file"
  succeeded curl
done
report "100 MiB upload to the loopback server, $runs alternating runs each (medians)" \
  "upload example (release)" "$work/sdk.txt" "curl -F" "$work/curl.txt"
