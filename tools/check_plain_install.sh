#!/usr/bin/env bash
# What a Colab or plain-pip user gets: `pip install` of the package WITHOUT [dev] into a fresh venv (plus the
# Jupyter kernel that Colab and JupyterLab already have), then one chapter notebook run top to bottom against it
# (TINY cells; no slow or gpu cells). Fails if the notebook imports anything the package does not depend on.
set -euo pipefail
cd "$(dirname "$0")/.."
nb=${1:-nbs/10_software2.ipynb}
d=$(mktemp -d)
trap 'rm -rf "$d"' EXIT
python3 -m venv "$d/venv"
"$d/venv/bin/python" -m pip install -q . ipykernel nbclient 2>&1 | { grep -v 'is ignored: it is neither' || true; }
rm -rf build  # setuptools builds in the tree
(cd "$d" && OMP_NUM_THREADS=${OMP_NUM_THREADS:-2} "$d/venv/bin/python" "$OLDPWD/tools/run_as_colab.py" "$OLDPWD/$nb")
