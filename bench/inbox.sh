#!/usr/bin/env bash
# The secretariat's inbox with 100,000 ideas in one call: p95 of a filtered, sorted page (first
# and deep pages, several filter combinations) beside `SELECT 1` measured in the same run.
# SQLite always; PostgreSQL too when HAMAFZA_TEST_PG is set. Writes bench/RESULTS-inbox.md.
set -euo pipefail
cd "$(dirname "$0")/.."
cargo run --release -q -p hamafza-store --example inbox_bench -- bench/RESULTS-inbox.md
