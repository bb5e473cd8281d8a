#!/usr/bin/env bash
# Offline intake at scale (issue 4): a 10,000-row booth spreadsheet (XLSX, made by
# `hamafza gen sheet`) sent to `POST /api/v1/calls/{id}/imports` on a release build over loopback,
# first as a dry run (read and check every row, write nothing), then for real (every row stored
# with its first version and audit entry in one transaction), then again (every row skipped as
# already imported). On SQLite, and on PostgreSQL when HAMAFZA_TEST_PG is set.
# Writes bench/RESULTS-import.md.
set -euo pipefail
cd "$(dirname "$0")/.."
rows=${BENCH_ROWS:-10000}
cargo build --release -q --bin hamafza -p hamafza
target=${CARGO_TARGET_DIR:-target}
bin=$(realpath "$target/release/hamafza")
tmp=$(mktemp -d)
trap 'kill $(jobs -p) 2>/dev/null || true; rm -rf "$tmp"' EXIT
export HAMAFZA_ADDR=127.0.0.1:18082 RUST_LOG=warn HAMAFZA_DEMO_PASSWORD=bench-password-1
base=http://127.0.0.1:18082
wait_ready() { for _ in $(seq 1 3000); do curl -sf "$1" >/dev/null && return 0; sleep 0.01; done; return 1; }
$bin gen sheet --rows "$rows" --out "$tmp/booth.xlsx" > /dev/null
size_kb=$(( $(stat -c %s "$tmp/booth.xlsx") / 1024 ))

# POSTs the sheet; prints "seconds imported skipped".
post() {
  local t0 t1 out
  t0=$(date +%s.%N)
  out=$(curl -sf -X POST -H "Authorization: Bearer $token" \
    -H "Content-Type: application/vnd.openxmlformats-officedocument.spreadsheetml.sheet" \
    --data-binary @"$tmp/booth.xlsx" "$base/api/v1/calls/$call/imports?dry_run=$1")
  t1=$(date +%s.%N)
  echo "$(printf "%.2f" "$(echo "$t1 - $t0" | bc)") $(echo "$out" | python3 -c 'import json,sys; r=json.load(sys.stdin); print(r["valid"], r["imported"], r["skipped"])')"
}

# Runs the three imports against a fresh demo database at $1; prints one table row per step.
measure() {
  HAMAFZA_DATABASE_URL="$1" $bin demo > /dev/null 2>&1 & local pid=$!
  wait_ready $base/readyz
  token=$(curl -sf -X POST -H 'Content-Type: application/json' \
    -d "{\"username\":\"secretariat\",\"password\":\"$HAMAFZA_DEMO_PASSWORD\",\"name\":\"bench\"}" \
    $base/api/v1/auth/token | python3 -c 'import json,sys; print(json.load(sys.stdin)["token"])')
  call=$(curl -sf $base/api/v1/calls | python3 -c 'import json,sys; print([c["id"] for c in json.load(sys.stdin) if any(a["title"]=="هوشمندسازی خدمات" for a in c["axes"])][0])')
  read -r s1 v1 i1 k1 < <(post true)
  read -r s2 v2 i2 k2 < <(post false)
  read -r s3 v3 i3 k3 < <(post false)
  echo "| $2 | dry run (read + check) | $s1 s | $v1 valid | $i1 | $k1 |"
  echo "| $2 | import | $s2 s | $v2 valid | $i2 | $k2 |"
  echo "| $2 | same file again | $s3 s | $v3 valid | $i3 | $k3 |"
  kill -TERM $pid; wait $pid || true
}
sqlite=$(measure "sqlite://$tmp/bench.db" SQLite)
pg=""
if [ -n "${HAMAFZA_TEST_PG:-}" ]; then
  psql -q "$HAMAFZA_TEST_PG" -c "DROP DATABASE IF EXISTS hamafza_bench_import WITH (FORCE)" -c "CREATE DATABASE hamafza_bench_import"
  pg=$(measure "${HAMAFZA_TEST_PG%/*}/hamafza_bench_import" PostgreSQL)
  psql -q "$HAMAFZA_TEST_PG" -c "DROP DATABASE hamafza_bench_import WITH (FORCE)"
fi
cat > bench/RESULTS-import.md <<MD
# Import benchmark ($(date -u +%Y-%m-%d), $(nproc) cores, release build, loopback)

\`bash bench/import.sh\` — a $rows-row booth XLSX (${size_kb} KB, Persian headers and text, half the
mobile numbers in Persian digits, Jalali dates) posted to \`/api/v1/calls/{id}/imports\`. The
dry run is the baseline of the same run: reading and checking without writing.

| backend | step | wall time | rows | imported | skipped |
|---|---|---|---|---|---|
$sqlite
$pg

Target: a 10,000-row XLSX imported in < 5 s.
MD
cat bench/RESULTS-import.md
