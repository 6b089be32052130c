#!/usr/bin/env bash
# Fails, naming each file, when a C++ source differs from .clang-format. CI runs it as the
# `clang_format` test; `scripts/check-format.sh --fix` rewrites the files instead.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
mapfile -t files < <(find cli provisioners tests vagrant \( -name '*.cpp' -o -name '*.hpp' \) -print | sort)
if [ "${1:-}" = "--fix" ]; then
    clang-format -i "${files[@]}"
    exit 0
fi
clang-format --dry-run --Werror "${files[@]}"
