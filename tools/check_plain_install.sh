#!/usr/bin/env bash
# What a Colab or plain-pip user gets: `pip install` of the package WITHOUT [dev] into a fresh venv (plus the
# Jupyter kernel that Colab and JupyterLab already have), then one chapter notebook run top to bottom against it
# (TINY cells; no slow or gpu cells). Fails if the notebook imports anything the package does not depend on.
#
# Disk: PyPI's torch is a CUDA build, about 6 GB with its nvidia-* and triton wheels, and a second copy can fill
# a small CI disk. So when the dev venv (SHARE_TORCH_FROM, default .venv) has torch, the fresh venv sees that
# torch stack (torch, torchvision, triton, nvidia-*, cuda-*) through symlinks on a .pth path; pip counts those as
# installed. Everything else, the package's other dependencies included, is installed fresh, so a dependency
# missing from the package's non-dev list still fails here. SHARE_TORCH_FROM= (empty) installs torch too.
set -euo pipefail
cd "$(dirname "$0")/.."
nb=${1:-nbs/10_software2.ipynb}
share=${SHARE_TORCH_FROM-.venv}
d=$(mktemp -d)
trap 'rm -rf "$d"' EXIT
python3 -m venv "$d/venv"
if [ -n "$share" ] && src=$(ls -d "$share"/lib/python3*/site-packages 2>/dev/null | head -1) && [ -d "$src/torch" ]; then
    src=$(cd "$src" && pwd)
    mkdir "$d/torch-stack"
    for p in "$src"/{torch,torchgen,functorch,torchvision,triton,nvidia,cuda}{,-*.dist-info,.libs} "$src"/{nvidia,cuda}_*.dist-info; do
        [ -e "$p" ] && ln -sfn "$p" "$d/torch-stack/"
    done
    echo "$d/torch-stack" > "$(ls -d "$d"/venv/lib/python3*/site-packages)/_torch_stack.pth"
    echo "plain install: torch stack shared from $src (symlinks); the rest installed fresh"
fi
"$d/venv/bin/python" -m pip install -q --no-cache-dir . ipykernel nbclient 2>&1 | { grep -v 'is ignored: it is neither' || true; }
rm -rf build  # setuptools builds in the tree
"$d/venv/bin/python" -c "import torch, torchvision; print('plain install: torch', torch.__version__, 'from', torch.__file__)"
(cd "$d" && OMP_NUM_THREADS=${OMP_NUM_THREADS:-2} "$d/venv/bin/python" "$OLDPWD/tools/run_as_colab.py" "$OLDPWD/$nb")
