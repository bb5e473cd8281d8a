#!/usr/bin/env bash
# Idea submission through the API (issue 4): `hamafza load submit` with 32 concurrent clients,
# each POSTing ideas with its own Idempotency-Key for BENCH_SECONDS, against a release build on
# loopback — on SQLite, and on PostgreSQL when HAMAFZA_TEST_PG is set (a scratch database is
# created beside it). Baseline of the same run: a bare axum route under wrk -c32.
# Writes bench/RESULTS-submit.md. Needs wrk (apt-get install wrk).
set -euo pipefail
cd "$(dirname "$0")/.."
secs=${BENCH_SECONDS:-10}
clients=${BENCH_CLIENTS:-32}
cargo build --release -q --bin hamafza --example bare -p hamafza -p hamafza-web
target=${CARGO_TARGET_DIR:-target}
bin=$target/release/hamafza
tmp=$(mktemp -d)
trap 'kill $(jobs -p) 2>/dev/null || true; rm -rf "$tmp"' EXIT
export HAMAFZA_ADDR=127.0.0.1:18081 RUST_LOG=warn HAMAFZA_DEMO_PASSWORD=bench-password-1
wait_ready() { for _ in $(seq 1 3000); do curl -sf "$1" >/dev/null && return 0; sleep 0.01; done; return 1; }

$target/release/examples/bare 127.0.0.1:18099 & bare=$!
wait_ready http://127.0.0.1:18099/
wrk -t2 -c"$clients" -d"${secs}s" --latency http://127.0.0.1:18099/ > "$tmp/wrk.txt"
base_rps=$(awk '/Requests\/sec/ {print $2}' "$tmp/wrk.txt")
kill $bare; wait $bare 2>/dev/null || true

# Runs the load against a fresh demo database at $1; prints the JSON report.
measure() {
  HAMAFZA_DATABASE_URL="$1" $bin demo > /dev/null 2>&1 & local pid=$!
  wait_ready http://127.0.0.1:18081/readyz
  # Let the notification worker catch up with the demo's own history first (steady state).
  sleep "${BENCH_SETTLE:-8}"
  $bin load submit --url http://127.0.0.1:18081 --clients "$clients" --seconds "$secs" --password "$HAMAFZA_DEMO_PASSWORD"
  kill -TERM $pid; wait $pid || true
}
sqlite=$(measure "sqlite://$tmp/bench.db")
pg='{"per_second":0,"p50_ms":0,"p95_ms":0,"p99_ms":0,"acknowledged":0,"errors":0}'
if [ -n "${HAMAFZA_TEST_PG:-}" ]; then
  psql -q "$HAMAFZA_TEST_PG" -c "DROP DATABASE IF EXISTS hamafza_bench_submit WITH (FORCE)" -c "CREATE DATABASE hamafza_bench_submit"
  pg=$(measure "${HAMAFZA_TEST_PG%/*}/hamafza_bench_submit")
  psql -q "$HAMAFZA_TEST_PG" -c "DROP DATABASE hamafza_bench_submit WITH (FORCE)"
fi
field() { python3 -c "import json,sys; print(round(json.loads(sys.argv[1])[sys.argv[2]], 2))" "$1" "$2"; }
ratio() { printf "%.3f" "$(echo "scale=5; $1 / $2" | bc)"; }
row() { echo "| $1 | $(field "$2" per_second) | $(field "$2" p50_ms) ms | $(field "$2" p95_ms) ms | $(field "$2" p99_ms) ms | $(field "$2" acknowledged) | $(field "$2" errors) | $(ratio "$(field "$2" per_second)" "$base_rps") |"; }
cat > bench/RESULTS-submit.md <<MD
# Idea submission benchmark ($(date -u +%Y-%m-%d), $(nproc) cores, release build, loopback)

\`bash bench/submit.sh\` — $clients concurrent API clients for ${secs} s, each request a new idea
with its own \`Idempotency-Key\` (checked, stored with its first version and a hash-chained
audit entry in one transaction, committed durably before the \`201\`). The load generator
shares the machine's cores with the server.

| backend | ideas/s | p50 | p95 | p99 | acknowledged | errors | ratio to bare axum |
|---|---|---|---|---|---|---|---|
| bare axum route (baseline, wrk -c$clients) | $base_rps | | | | | | 1.000 |
$(row "SQLite (WAL, synchronous=FULL)" "$sqlite")
$(row "PostgreSQL (local, fsync on)" "$pg")

Target: ≥ 1,000 ideas/s on SQLite with p99 < 50 ms.
MD
cat bench/RESULTS-submit.md
