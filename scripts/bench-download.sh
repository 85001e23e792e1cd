#!/usr/bin/env bash
# Benchmark: downloading a 100 MiB attachment with the `download` example vs `curl -o`, from
# the loopback server, alternating, RUNS runs each. Reports median wall time and peak RSS and
# their ratios, and checks every downloaded copy against the original.
# Usage: scripts/bench-download.sh [RUNS]   (default 5)
set -euo pipefail

runs=${1:-5}
cd "$(dirname "$0")/.."
. scripts/lib.sh
cargo build --quiet --release -p zoho-crm --example download -p zoho-crm-testkit --bin loopback-server

token=bench-token
start_server target/release/loopback-server 'listening on ' --token "$token"
record=3477061000005177002
file="$work/original.bin"
head -c $((100 * 1024 * 1024)) /dev/urandom >"$file"
original=$(sha256sum "$file" | cut -d' ' -f1)
id=$(curl -sS -X POST "$base/crm/v2/Leads/$record/Attachments" \
  -H "Authorization: Zoho-oauthtoken $token" -F "file=@$file" |
  python3 -c 'import json, sys; print(json.load(sys.stdin)["data"][0]["details"]["id"])')
rm -f "$file"

same() { [ "$(sha256sum "$1" | cut -d' ' -f1)" = "$original" ] || { echo "wrong bytes in $1" >&2; exit 1; }; }
for _ in $(seq 1 "$runs"); do
  rm -f "$work/sdk.bin" "$work/curl.bin"
  timed "$work/sdk.txt" target/release/examples/download --api-base "$base" --token "$token" \
    --module Leads --record "$record" --id "$id" -o "$work/sdk.bin"
  same "$work/sdk.bin"
  timed "$work/curl.txt" curl -sS -o "$work/curl.bin" \
    -H "Authorization: Zoho-oauthtoken $token" "$base/crm/v2/Leads/$record/Attachments/$id"
  same "$work/curl.bin"
done
report "100 MiB download from the loopback server, $runs alternating runs each (medians)" \
  "download example (release)" "$work/sdk.txt" "curl -o" "$work/curl.txt"
