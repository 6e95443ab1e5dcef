#!/usr/bin/env bash
# Fail if nbdev-export, nbdev-clean or the README generator would change any file:
# weekend_nb/ must be what the notebooks export, notebooks must be clean, README.md must match index.ipynb.
set -euo pipefail
cd "$(dirname "$0")/.."
snapshot() { git status --porcelain --untracked-files=all; git diff; }
before=$(snapshot)
nbdev-export
nbdev-clean
python tools/make_readme.py
after=$(snapshot)
if [ "$before" != "$after" ]; then
  echo "nbdev-export / nbdev-clean / tools/make_readme.py changed files: commit the notebooks together with what they export." >&2
  diff <(echo "$before") <(echo "$after") | head -40 >&2
  exit 1
fi
echo "weekend_nb/, notebooks and README.md are in sync."
