#!/usr/bin/env bash
# Runs every libFuzzer target for a fixed time (default 60 s each), built with clang,
# AddressSanitizer and UBSan in build-fuzz/. New interesting inputs join the corpus in
# tests/fuzz/corpus/; a crash is saved in tests/fuzz/crashes/<target>/, where the normal test
# suite replays it from then on (add the fix and keep the file).
#   tools/fuzz.sh [SECONDS] [TARGET...]
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${1:-60}
shift || true
targets=("$@")
[ ${#targets[@]} -gt 0 ] || targets=(phone csv_import apply_changes sync_request plugin_config)

for package in clang libclang-rt-14-dev; do
  dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "ok installed" ||
    { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$package"; }
done
cmake -S . -B build-fuzz -DCMAKE_CXX_COMPILER=clang++ -DFIELDCRM_FUZZ=ON \
  -DFIELDCRM_BUILD_TESTS=ON -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build build-fuzz -j"$(nproc)" --target $(printf 'fuzz_%s ' "${targets[@]}")

status=0
for target in "${targets[@]}"; do
  corpus=tests/fuzz/corpus/$target
  crashes=tests/fuzz/crashes/$target
  mkdir -p "$corpus" "$crashes"
  echo "== $target for ${seconds}s"
  if ! build-fuzz/tests/fuzz/fuzz_$target "$corpus" -max_total_time="$seconds" \
      -artifact_prefix="$crashes/" -print_final_stats=1 2>&1 | tail -n 12; then
    status=1
  fi
  # Keep the committed corpus small: only inputs that add coverage.
  minimal=$(mktemp -d)
  build-fuzz/tests/fuzz/fuzz_$target -merge=1 "$minimal" "$corpus" >/dev/null 2>&1
  rm -rf "$corpus" && mv "$minimal" "$corpus"
  echo "$target corpus: $(ls "$corpus" | wc -l) inputs"
  if [ -n "$(ls -A "$crashes")" ]; then
    echo "!! $target: crashing inputs in $crashes"
    status=1
  fi
done
exit $status
