#!/usr/bin/env bash
# HTTP numbers of the Foundation issue, on a release build over loopback:
#   - /healthz and the anonymous home page under `wrk -t2 -c64` (the load generator shares the
#     machine's cores), beside a bare axum route measured in the same run as the baseline;
#   - start-up to ready on an existing database, idle RSS, release binary size.
# Writes bench/RESULTS-http.md. Needs wrk (apt-get install wrk).
set -euo pipefail
cd "$(dirname "$0")/.."
secs=${BENCH_SECONDS:-10}
cargo build --release -q --bin hamafza --example bare -p hamafza -p hamafza-web
target=${CARGO_TARGET_DIR:-target}
bin=$target/release/hamafza
tmp=$(mktemp -d)
trap 'kill $(jobs -p) 2>/dev/null || true; rm -rf "$tmp"' EXIT
export HAMAFZA_DATABASE_URL="sqlite://$tmp/bench.db" HAMAFZA_ADDR=127.0.0.1:18080 RUST_LOG=warn

wait_ready() { for _ in $(seq 1 600); do curl -sf "$1" >/dev/null && return 0; sleep 0.01; done; return 1; }
run_wrk() { wrk -t2 -c64 -d"${secs}s" --latency "$1" > "$tmp/wrk.txt"; 
  rps=$(awk '/Requests\/sec/ {print $2}' "$tmp/wrk.txt")
  p99=$(awk '$1=="99%" {print $2}' "$tmp/wrk.txt")
  non2xx=$(awk '/Non-2xx/ {print $5}' "$tmp/wrk.txt"); echo "$rps ${p99} ${non2xx:-0}"; }

# Baseline: bare axum.
$target/release/examples/bare 127.0.0.1:18099 & bare=$!
wait_ready http://127.0.0.1:18099/
read -r base_rps base_p99 _ < <(run_wrk http://127.0.0.1:18099/)
kill $bare; wait $bare 2>/dev/null || true

# First start creates and fills the database; the measured start is the second, on an existing one.
$bin demo > /dev/null 2>&1 & pid=$!
wait_ready http://127.0.0.1:18080/readyz; kill -TERM $pid; wait $pid || true
t0=$(date +%s.%N)
$bin serve > /dev/null 2>&1 & pid=$!
wait_ready http://127.0.0.1:18080/readyz
startup=$(printf "%.3f" "$(echo "$(date +%s.%N) - $t0" | bc)")
sleep 1
rss_idle=$(awk '/VmRSS/ {print $2}' /proc/$pid/status)

read -r hz_rps hz_p99 hz_bad < <(run_wrk http://127.0.0.1:18080/healthz)
read -r home_rps home_p99 home_bad < <(run_wrk http://127.0.0.1:18080/)
rss_load=$(awk '/VmRSS/ {print $2}' /proc/$pid/status)
kill -TERM $pid; wait $pid || true
size=$(stat -c %s $bin)

ratio() { printf "%.2f" "$(echo "scale=4; $1 / $2" | bc)"; }
cat > bench/RESULTS-http.md <<MD
# HTTP benchmark ($(date -u +%Y-%m-%d), $(nproc) cores, wrk -t2 -c64 -d${secs}s, release build, SQLite)

| what | req/s | p99 | ratio to bare axum |
|---|---|---|---|
| bare axum route (baseline, same run) | $base_rps | $base_p99 | 1.00 |
| \`GET /healthz\` | $hz_rps | $hz_p99 | $(ratio "$hz_rps" "$base_rps") |
| \`GET /\` anonymous home page (two DB reads, template, CSRF cookie) | $home_rps | $home_p99 | $(ratio "$home_rps" "$base_rps") |

Non-2xx responses: healthz $hz_bad, home $home_bad.

| what | value | target |
|---|---|---|
| start-up to ready (\`serve\`, existing database) | ${startup} s | < 1 s |
| idle RSS after start | $((rss_idle / 1024)) MB | < 40 MB |
| RSS after the load | $((rss_load / 1024)) MB | |
| release binary | $((size / 1048576)) MB | < 40 MB |
MD
cat bench/RESULTS-http.md
