#!/usr/bin/env bash
# Judging: accuracy of each ranking method against a simulated truth (round 2's and round 1's
# sizes, many seeds), then the speed of ranking 10,000 ideas from 100,000 comparisons, the rubric
# fit at round-1 size and assigning 1,400 ideas × 3 among 40 judges (criterion, each beside a
# one-pass baseline). Prints both; bench/RESULTS-judging.md holds a run with its reading.
# SEEDS2 / SEEDS1 set the seeds per round (40 and 8: about three minutes on two cores).
set -euo pipefail
cd "$(dirname "$0")/.."
cargo run --release -q -p hamafza-core --example judging_accuracy -- "${SEEDS2:-40}" "${SEEDS1:-8}"
cargo bench -q -p hamafza-core --bench judging
