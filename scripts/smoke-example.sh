#!/usr/bin/env bash
# Runs the examples the way a person would, against the loopback API and accounts servers:
# uploads of a file and a link (with an access token, a refresh token, through a proxy), list,
# download and delete must succeed; bad input must exit 2 before sending, and Zoho's refusals
# exit 1 with the typed error and its resolution.
set -euo pipefail

cd "$(dirname "$0")/.."
cargo build --quiet -p zcrm-attachments --examples -p zcrm-attachments-testkit --bin loopback-server

. scripts/lib.sh
start_server target/debug/loopback-server 'accounts on ' --token smoke-token --with-accounts
accounts_line=$(grep '^accounts on ' "$work/server.out")
accounts=$(echo "$accounts_line" | awk '{print $3}')
field() { echo "$accounts_line" | tr ' ' '\n' | sed -n "s/^$1=//p"; }

upload=target/debug/examples/upload
record=3477061000005177002
echo "hello" >"$work/hello.txt"
passed=0
failed=0
check() {
  local name=$1 expected_rc=$2 pattern=$3; shift 3
  local rc=0
  "$@" >"$work/out.txt" 2>&1 || rc=$?
  if [ "$rc" -eq "$expected_rc" ] && grep -q -- "$pattern" "$work/out.txt"; then
    passed=$((passed + 1))
  else
    failed=$((failed + 1))
    echo "FAIL: $name (exit $rc, expected $expected_rc and /$pattern/):" >&2
    cat "$work/out.txt" >&2
  fi
}

check "file upload" 0 '"code": "SUCCESS"' \
  "$upload" --api-base "$base" --token smoke-token --module Leads --record "$record" "$work/hello.txt"
check "link upload, token from the environment" 0 '"code": "SUCCESS"' \
  env ZOHO_ACCESS_TOKEN=smoke-token "$upload" --api-base "$base" --module Leads --record "$record" --url https://www.zohocorp.com
check "unknown module is Zoho's INVALID_MODULE with its resolution" 1 'resolution: You have specified an invalid module name' \
  "$upload" --api-base "$base" --token smoke-token --module Widgets --record "$record" "$work/hello.txt"
check "bad record id is refused before sending" 2 'record id "12x" is invalid' \
  "$upload" --api-base "$base" --token smoke-token --module Leads --record 12x "$work/hello.txt"
check "wrong token" 1 'INVALID_TOKEN' \
  "$upload" --api-base "$base" --token wrong --module Leads --record "$record" "$work/hello.txt"
check "refresh token from the environment" 0 '"code": "SUCCESS"' \
  env ZOHO_CLIENT_ID="$(field client_id)" ZOHO_CLIENT_SECRET="$(field client_secret)" \
  ZOHO_REFRESH_TOKEN="$(field refresh_token)" ZOHO_ACCOUNTS_URL="$accounts" ZOHO_API_BASE="$base" \
  "$upload" --module Leads --record "$record" "$work/hello.txt"
check "wrong client secret is the accounts server's typed refusal" 1 'ZOHO_DC' \
  env ZOHO_CLIENT_ID="$(field client_id)" ZOHO_CLIENT_SECRET=wrong \
  ZOHO_REFRESH_TOKEN="$(field refresh_token)" ZOHO_ACCOUNTS_URL="$accounts" ZOHO_API_BASE="$base" \
  "$upload" --module Leads --record "$record" "$work/hello.txt"
check "proxy from HTTP_PROXY" 0 '"code": "SUCCESS"' \
  env HTTP_PROXY="$base" "$upload" --api-base http://127.0.0.1:1 --token smoke-token \
  --module Leads --record "$record" "$work/hello.txt"

# list -> download -> delete -> list, with the other examples.
examples=target/debug/examples
target_flags=(--api-base "$base" --token smoke-token --module Leads --record "$record")
"$upload" "${target_flags[@]}" "$work/hello.txt" >"$work/up.json" 2>&1 || true
id=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["details"]["id"])' "$work/up.json" 2>/dev/null || true)
check "list shows the upload" 0 "\"id\": \"$id\"" "$examples/list" "${target_flags[@]}" --all
mkdir -p "$work/downloads"
check "download saves under the server's name" 0 "$work/downloads/hello.txt" \
  "$examples/download" "${target_flags[@]}" --id "$id" -o "$work/downloads"
if cmp -s "$work/hello.txt" "$work/downloads/hello.txt"; then passed=$((passed + 1)); else
  failed=$((failed + 1)); echo "FAIL: the downloaded bytes differ" >&2; fi
check "delete two, one unknown: exit 1 with the typed error" 1 'INVALID_DATA' \
  "$examples/delete" "${target_flags[@]}" --id "$id" --id 111111111
check "list on v3 without fields is refused before sending" 2 'fields' \
  "$examples/list" "${target_flags[@]}" --api-version v3 --fields ''

echo "smoke: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
