#!/usr/bin/env bash
# Fuzzes the parsers of untrusted files (issue 14, item 1) for a bounded time each:
#   import_csv   the CSV import parser (any bytes);
#   import_xlsx  the XLSX import parser (the ZIP container, or one XML part of a valid workbook);
#   sniff        the attachment type sniffer.
# FUZZ_SECONDS per target (60 by default); targets as arguments (all by default). Needs the
# nightly toolchain and cargo-fuzz (`cargo install cargo-fuzz`). A crash stops the run and leaves
# its input in fuzz/artifacts/<target>/: keep it as a test beside the parser. Writes
# bench/RESULTS-fuzz.md.
set -euo pipefail
cd "$(dirname "$0")/../fuzz"
secs=${FUZZ_SECONDS:-60}
targets=("$@")
[ ${#targets[@]} -gt 0 ] || targets=(import_csv import_xlsx sniff)
out=../bench/RESULTS-fuzz.md
{
  echo "# Fuzzing the file parsers ($(date -u +%F), $(nproc) cores, ${secs} s a target)"
  echo
  echo "\`bash bench/fuzz.sh\` — libFuzzer through cargo-fuzz, AddressSanitizer, 2 GB RSS limit,"
  echo "10 s an input; the parsers run under their production limits (\`intake::import::LIMITS\`)."
  echo
  echo "| target | runs | exec/s | coverage | corpus | crashes |"
  echo "|---|---|---|---|---|---|"
} > "$out"
status=0
for t in "${targets[@]}"; do
  mkdir -p "corpus/$t"
  dict=()
  [ "$t" = import_xlsx ] && dict=(-dict=xlsx.dict)
  log=$(mktemp)
  if cargo +nightly fuzz run "$t" "corpus/$t" -- -max_total_time="$secs" -rss_limit_mb=2048 \
      -malloc_limit_mb=2048 -timeout=10 -print_final_stats=1 "${dict[@]}" > "$log" 2>&1; then
    crashes=0
  else
    crashes=1; status=1
    grep -E "ERROR|panicked|Test unit written" "$log" | head -5 >&2
  fi
  runs=$(awk '/stat::number_of_executed_units/ {print $2}' "$log")
  rate=$(awk '/stat::average_exec_per_sec/ {print $2}' "$log")
  cov=$(grep -oE 'cov: [0-9]+' "$log" | tail -1 | awk '{print $2}')
  corpus=$(find "corpus/$t" -type f | wc -l)
  echo "| $t | ${runs:-?} | ${rate:-?} | ${cov:-?} | $corpus | $crashes |" >> "$out"
  echo "$t: ${runs:-?} runs, ${rate:-?}/s, coverage ${cov:-?}, crashes $crashes"
  rm -f "$log"
done
exit $status
