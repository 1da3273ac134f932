#!/usr/bin/env bash
# Fails if any C++ file of the repository differs from what clang-format (.clang-format: Google
# base, 100 columns) makes of it. Fix with: scripts/check-format.sh --fix
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
command -v clang-format >/dev/null || { echo "check-format: clang-format not found (scripts/setup.sh installs it)"; exit 2; }
mapfile -t files < <(git ls-files -co --exclude-standard -- '*.h' '*.cc' | while read -r f; do [ -f "$f" ] && echo "$f"; done)
[ "${#files[@]}" -gt 0 ] || { echo "check-format: no C++ files found"; exit 2; }
if [ "${1:-}" = "--fix" ]; then
  clang-format -i "${files[@]}"
  echo "check-format: formatted ${#files[@]} files"
  exit 0
fi
if ! out="$(clang-format --dry-run --Werror "${files[@]}" 2>&1)"; then
  echo "$out" | grep -E "^[^ ].*: (error|warning):" | cut -d: -f1 | sort -u | sed 's/^/needs formatting: /'
  echo "check-format: run scripts/check-format.sh --fix ($(clang-format --version))"
  exit 1
fi
echo "check-format: ${#files[@]} files formatted as .clang-format says"
