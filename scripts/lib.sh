# Shared by the scripts: start the loopback server, time a command, take medians.
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

# timed OUT_FILE COMMAND...: runs COMMAND under /usr/bin/time -v and appends
# "wall_seconds peak_rss_kib" to OUT_FILE (wall from bash's clock, finer than time's).
timed() {
  local out=$1; shift
  local start=$EPOCHREALTIME
  /usr/bin/time -v -o "$work/time.txt" "$@" >"$work/cmd.out" 2>"$work/cmd.err" || {
    echo "command failed: $*" >&2; cat "$work/cmd.err" >&2; exit 1; }
  local end=$EPOCHREALTIME
  local wall rss
  wall=$(awk -v a="$start" -v b="$end" 'BEGIN { printf "%.4f", b - a }')
  rss=$(awk -F': ' '/Maximum resident set size/ {print $2}' "$work/time.txt")
  echo "$wall $rss" >>"$out"
}

# median: the median of the numbers on standard input.
median() { sort -g | awk '{v[NR]=$1} END {print (NR%2) ? v[(NR+1)/2] : (v[NR/2]+v[NR/2+1])/2}'; }

# report TITLE OURS_LABEL OURS_FILE CURL_LABEL CURL_FILE: prints medians and ratios.
report() {
  local title=$1 ours_label=$2 ours=$3 curl_label=$4 curl=$5
  local a b c d
  a=$(awk '{print $1}' "$ours" | median); c=$(awk '{print $2}' "$ours" | median)
  b=$(awk '{print $1}' "$curl" | median); d=$(awk '{print $2}' "$curl" | median)
  echo "$title"
  printf '%-28s %10s %14s\n' "" "wall (s)" "peak RSS (KiB)"
  printf '%-28s %10s %14s\n' "$ours_label" "$a" "$c"
  printf '%-28s %10s %14s\n' "$curl_label" "$b" "$d"
  awk -v a="$a" -v b="$b" -v c="$c" -v d="$d" \
    'BEGIN { printf "ratio ours/curl: wall %.2fx, peak RSS %.2fx\n", a/b, c/d }'
}
