#!/usr/bin/env bash
# The demo of the main job, run by 'tools/dev.sh demo': each part in tools/demo/ in order, in a
# scratch folder, with the freshly built binaries.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
build_dir=$(cd "${1:-$here/../build}" && pwd)
export FIELDCRM="$build_dir/tools/fieldcrm/fieldcrm"
export FIELDCRM_BUILD_DIR="$build_dir"
export DEMO_DIR=$(mktemp -d /tmp/fieldcrm-demo-XXXXXX)
# The sales office's zone: times are shown in it and typed in it (stored in UTC).
export TZ=Asia/Shanghai
echo "demo files in $DEMO_DIR"
for part in "$here"/demo/*.sh; do
  bash "$part"
done
