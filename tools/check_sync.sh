#!/usr/bin/env bash
# Fail if nbdev-export, nbdev-clean or the README/settings generators would change any file: weekend_nb/ must be
# what the notebooks export, notebooks must be clean, README.md must match index.ipynb and settings.ini pyproject.toml.
set -euo pipefail
cd "$(dirname "$0")/.."
snapshot() { git status --porcelain --untracked-files=all; git diff; }
before=$(snapshot)
nbdev-export
nbdev-clean
nbdev-clean --fname index.ipynb
python tools/make_readme.py
python tools/make_settings.py
after=$(snapshot)
if [ "$before" != "$after" ]; then
  echo "nbdev-export / nbdev-clean / tools/make_readme.py / tools/make_settings.py changed files: commit the notebooks (and pyproject.toml) together with what they generate." >&2
  diff <(echo "$before") <(echo "$after") | head -40 >&2
  exit 1
fi
echo "weekend_nb/, notebooks, README.md and settings.ini are in sync."
