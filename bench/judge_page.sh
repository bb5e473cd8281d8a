#!/usr/bin/env bash
# The judge's scoring page under load (target p95 < 30 ms): a release build serving the demo
# (round 2's shortlisting judged by judge1–5) over loopback on SQLite; judge1 signed in, one of
# their assignments fetched by wrk at 1, 4, 16 and 64 connections, beside /healthz at the same
# concurrency in the same run. Writes bench/RESULTS-judge-page.md. Needs wrk and curl.
set -euo pipefail
cd "$(dirname "$0")/.."
secs=${BENCH_SECONDS:-10}
cargo build --release -q --bin hamafza -p hamafza
target=${CARGO_TARGET_DIR:-target}
bin=$target/release/hamafza
tmp=$(mktemp -d)
trap 'kill $(jobs -p) 2>/dev/null || true; rm -rf "$tmp"' EXIT
export HAMAFZA_DATABASE_URL="sqlite://$tmp/bench.db" HAMAFZA_ADDR=127.0.0.1:18081 RUST_LOG=warn
base=http://127.0.0.1:18081
wait_ready() { for _ in $(seq 1 3000); do curl -sf "$1" >/dev/null && return 0; sleep 0.1; done; return 1; }

$bin demo > "$tmp/demo.log" 2>&1 & pid=$!
wait_ready $base/readyz
# Sign in as judge1: the form's CSRF token and cookie, then the session cookie.
jar=$tmp/cookies
token=$(curl -sf -c "$jar" $base/login | sed -n 's/.*name="csrf" value="\([^"]*\)".*/\1/p' | head -1)
curl -sf -b "$jar" -c "$jar" -o /dev/null -d "csrf=$token" -d username=judge1 -d password=hamafza-demo-1403 $base/login
cookie=$(awk '$6 ~ /^hz_/ {printf "%s=%s; ", $6, $7}' "$jar")
assignment=$(curl -sf -H "Cookie: $cookie" $base/judging | grep -o 'href="/judging/[a-z0-9]*"' | head -1 | sed 's|href="/judging/\(.*\)"|\1|')
page=$base/judging/$assignment
test "$(curl -s -o /dev/null -w '%{http_code}' -H "Cookie: $cookie" "$page")" = 200

cat > "$tmp/p95.lua" <<'LUA'
done = function(summary, latency, requests)
  io.write(string.format("RESULT %.1f %.2f %.2f %.2f %d\n", summary.requests / (summary.duration / 1e6),
    latency:percentile(50) / 1000, latency:percentile(95) / 1000, latency:percentile(99) / 1000,
    summary.errors.status))
end
LUA
run() { wrk -t"$(( $1 < 2 ? 1 : 2 ))" -c"$1" -d"${secs}s" -s "$tmp/p95.lua" -H "Cookie: $cookie" "$2" | awk '/^RESULT/ {print $2, $3, $4, $5, $6}'; }

{
echo "# The judge's scoring page under load ($(date -u +%Y-%m-%d), $(nproc) cores, release build, SQLite)"
echo
echo "\`bash bench/judge_page.sh\`: the demo's judge1 reading one of their round 2 assignments"
echo "(\`GET /judging/{id}\`: the blind idea through the juror view, the judge's queue of the stage, the"
echo "call and the jury; five store calls and a template), wrk over loopback, ${secs} s per row; wrk shares"
echo "the two cores with the server. Baseline: \`/healthz\` at the same concurrency in the same run."
echo
echo "| connections | healthz req/s | page req/s | page p50 ms | page p95 ms | page p99 ms | page non-2xx | page req/s ÷ healthz |"
echo "|---|---|---|---|---|---|---|---|"
for c in 1 4 16 64; do
  read -r hz_rps _ _ _ _ < <(run "$c" $base/healthz)
  read -r rps p50 p95 p99 bad < <(run "$c" "$page")
  printf "| %s | %s | %s | %s | %s | %s | %s | %.3f |\n" "$c" "$hz_rps" "$rps" "$p50" "$p95" "$p99" "$bad" "$(echo "scale=4; $rps / $hz_rps" | bc)"
done
echo
echo "Target: p95 < 30 ms."
} > bench/RESULTS-judge-page.md
kill -TERM $pid; wait $pid || true
cat bench/RESULTS-judge-page.md
