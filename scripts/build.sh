#!/usr/bin/env bash
# Configures and builds labctl in build/ (warnings are errors): every target, or only the
# targets named (`scripts/build.sh labctl`: the tool without its tests, for the demo).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cmake -S "$root" -B "$root/build" -DCMAKE_BUILD_TYPE=RelWithDebInfo -DLABCTL_WERROR=ON >/dev/null
targets=()
for target in "$@"; do targets+=(--target "$target"); done
cmake --build "$root/build" -j"$(nproc)" "${targets[@]}"
