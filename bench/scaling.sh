#!/usr/bin/env bash
# How throughput grows with concurrent clients, on a release build over loopback: the
# secretariat's inbox of the demo's round 1 (1,412 ideas; a signed-in page of eight reads) beside
# the anonymous home page (two reads) in the same run, at 1, 2, 4 … clients up to twice the
# cores, each with its single-request time. An inbox that stops growing while the home page
# grows has something serialized in its path (issue 18, item 28: SQLite's memory statistics
# mutex). Writes bench/RESULTS-scaling.md. Needs wrk (apt-get install wrk) and curl.
set -euo pipefail
cd "$(dirname "$0")/.."
secs=${BENCH_SECONDS:-8}
cargo build --release -q --bin hamafza -p hamafza
bin=${CARGO_TARGET_DIR:-target}/release/hamafza
tmp=$(mktemp -d)
trap 'kill $(jobs -p) 2>/dev/null || true; rm -rf "$tmp"' EXIT
port=18081
base=http://127.0.0.1:$port
export HAMAFZA_DATABASE_URL="sqlite://$tmp/bench.db" HAMAFZA_ADDR=127.0.0.1:$port RUST_LOG=warn
export HAMAFZA_DEMO_PASSWORD=bench-password-1403

wait_ready() { for _ in $(seq 1 3000); do curl -sf "$1" >/dev/null && return 0; sleep 0.01; done; return 1; }
$bin demo > "$tmp/demo.log" 2>&1 & pid=$!
wait_ready $base/readyz; kill -TERM $pid; wait $pid || true
$bin serve > "$tmp/serve.log" 2>&1 & pid=$!
wait_ready $base/readyz

# Sign in as the secretariat; the round-1 call is the oldest on its list.
jar=$tmp/cookies
csrf=$(curl -s -c "$jar" -b "$jar" $base/login | grep -o 'name="csrf" value="[^"]*"' | head -1 | sed 's/.*value="//;s/"$//')
curl -s -o /dev/null -c "$jar" -b "$jar" --data-urlencode "csrf=$csrf" \
  --data-urlencode username=secretariat --data-urlencode "password=$HAMAFZA_DEMO_PASSWORD" $base/login
session=$(awk '$6=="hz_session" {print $7}' "$jar")
call=$(curl -s -b "$jar" $base/secretariat/calls | grep -o 'href="/calls/[a-z0-9]*"' | tail -1 | sed 's|href="/calls/||;s/"//')
inbox=$base/secretariat/calls/$call/ideas
test "$(curl -s -o /dev/null -w '%{http_code}' -H "Cookie: hz_session=$session" "$inbox")" = 200

# The median of 25 sequential requests, in ms.
single() { for _ in $(seq 1 25); do curl -s -o /dev/null -w '%{time_total}\n' "$@"; done | sort -n | sed -n 13p | awk '{printf "%.1f", $1 * 1000}'; }
inbox_one=$(single -H "Cookie: hz_session=$session" "$inbox")
home_one=$(single $base/)

cores=$(nproc)
rps() { wrk -t"$(( $1 < cores ? $1 : cores ))" -c"$1" -d"${secs}s" "${@:2}" | awk '/Requests\/sec/ {print $2}'; }
rows=""
c=1
while [ $c -le $((2 * cores)) ] && [ $c -le 128 ]; do
  i=$(rps $c -H "Cookie: hz_session=$session" "$inbox")
  h=$(rps $c $base/)
  [ $c -eq 1 ] && { i1=$i; h1=$h; }
  rows+="| $c | $i | $(printf '%.2f' "$(echo "$i / $i1" | bc -l)") | $h | $(printf '%.2f' "$(echo "$h / $h1" | bc -l)") |"$'\n'
  c=$((c * 2))
done
kill -TERM $pid; wait $pid || true

cat > bench/RESULTS-scaling.md <<MD
# Scaling with concurrent clients ($(date -u +%Y-%m-%d), $cores cores, wrk ${secs}s per step, release build, SQLite, demo data)

Single request (median of 25 sequential): inbox ${inbox_one} ms, home page ${home_one} ms.
The load generator shares the machine's cores, so on a small machine the last steps measure it too.

| clients | inbox req/s | ratio to 1 client | home req/s | ratio to 1 client |
|---|---|---|---|---|
$rows
MD
cat bench/RESULTS-scaling.md
