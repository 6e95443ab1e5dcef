#!/usr/bin/env bash
# `make test-gpu`: the GPU path, run rather than hoped for. On a machine with CUDA (a rented GPU box, a Colab GPU
# session after `pip install -e '.[dev]'`): the Learner's mixed-precision, compile and data-parallel tests on CUDA,
# then every notebook with its `#| gpu` cells. Without CUDA it says so and fails: a GPU test that passes by
# skipping everything would prove nothing.
set -euo pipefail
BIN=${BIN:-.venv/bin}
if ! "$BIN/python" -c "import sys, torch; sys.exit(0 if torch.cuda.is_available() else 1)"; then
    echo "make test-gpu needs a CUDA GPU and torch.cuda.is_available() is False here; run it on a GPU machine (or Colab with a GPU runtime)" >&2
    exit 1
fi
"$BIN/python" -c "import torch; print(f'GPU: {torch.cuda.get_device_name(0)} x {torch.cuda.device_count()}, torch {torch.__version__}, CUDA {torch.version.cuda}')"
WEEKEND_NB_REQUIRE_CUDA=1 "$BIN/pytest" -q --durations=10 tests/test_learner.py tests/test_ddp.py
"$BIN/nbdev-test" --flags gpu --n-workers 1 --timing
