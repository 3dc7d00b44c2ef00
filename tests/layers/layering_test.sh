#!/bin/bash
# The walls of docs/architecture.md that the compiler cannot see. Fails naming file and line when
# a source outside core/ (tests and benchmarks excepted: they measure core's internals):
#  - runs SQL on one of core's private tables (log, field_state, records, conflicts, meta), or on
#    the fact tables outside reports/ (the reporting contract, fieldcrm/projections/reporting.h);
#  - includes one of core's internal headers (core/*/internal/).
# Usage: layering_test.sh SOURCE_DIR
set -u
root=${1:?usage: layering_test.sh SOURCE_DIR}
cd "$root" || exit 2
scanned=(application sync server reports tools plugins sdk)
sources() { find "${scanned[@]}" -type f \( -name '*.cc' -o -name '*.h' \) | sort; }

failed=0
report() {  # report WHAT: grep -n output on stdin
  while IFS= read -r hit; do
    echo "$hit: $1"
    failed=1
  done
}

private='log|field_state|records|conflicts|meta'
facts='customer_facts|history_facts'
sql_on() { echo "\\b(FROM|JOIN|INTO|UPDATE|TABLE|ON|EXISTS)[[:space:]]+(main\\.)?($1)\\b"; }
mapfile -t files < <(sources)
report "SQL on core's private tables: use Store's operations or the reporting contract" \
  < <(grep -nHE "$(sql_on "$private")" "${files[@]}")
report "the fact tables are read by reports/ only, through the reporting contract" \
  < <(grep -nHE "$(sql_on "$facts")" "${files[@]}" | grep -v '^reports/')

internal=$(find core -path '*/internal/*' -name '*.h' | sed -E 's|^core/[^/]+/internal/||' |
  paste -sd'|')
if [ -z "$internal" ]; then
  echo "no internal headers found under core/*/internal: is $root the source tree?"
  exit 2
fi
report "includes a header internal to core" \
  < <(grep -nHE "#include \"($internal)\"" "${files[@]}")

if [ "$failed" = 0 ]; then echo "layers: ${#files[@]} sources outside core keep to the walls"; fi
exit "$failed"
