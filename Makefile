# Two commands do everything on a fresh machine: `make run` and `make test`.
# Both create .venv and install what is missing first.
SHELL := /bin/bash
.SHELLFLAGS := -o pipefail -ec
VENV := .venv
BIN := $(VENV)/bin
CHAPTER ?= movies
PIP_QUIET = 2>&1 | { grep -v 'is ignored: it is neither' || true; }

.PHONY: install run test test-gpu test-nbs test-py test-install check-sync readme settings export clean-nbs outputs bench screenshot

$(VENV)/.installed: pyproject.toml
	test -x $(BIN)/python || python3 -m venv $(VENV)
	$(BIN)/python -m pip install -q -e '.[dev]' $(PIP_QUIET)
	touch $@

install: $(VENV)/.installed

## The main job: the course's title project (until it exists, the first chapter that does).
run: install
	$(BIN)/weekend run $(CHAPTER)

## Everything CI checks: library in sync with notebooks, README and settings.ini in sync, notebook tests, pytest,
## and a plain `pip install .` (no [dev]) running a chapter notebook as Colab would.
## pytest (one thread) and the plain install (mostly pip unpacking wheels) share the two cores side by side.
test: install check-sync test-nbs
	$(MAKE) --no-print-directory -j2 --output-sync=target -o $(VENV)/.installed test-py test-install  # -o: installed above (nbdev rewrites pyproject.toml's timestamp)

# Torch in two processes on two cores runs many times slower unless each uses one thread.
# Without CUDA the `#| gpu` cells run too, and each must skip in one line, as in a reader's "Run All" on a laptop;
# with CUDA they are the full-size runs, and `make test-gpu` runs them.
test-nbs: install
	flags=$$($(BIN)/python -c "import torch; print('' if torch.cuda.is_available() else '--flags gpu')"); \
	OMP_NUM_THREADS=1 $(BIN)/nbdev-test --n-workers 2 --timing $$flags

test-py: install
	OMP_NUM_THREADS=1 PYTHONFAULTHANDLER=1 $(BIN)/pytest -q --durations=10 tests  # faulthandler: a crash prints every thread's Python stack

## The GPU path on a machine with CUDA: the Learner's AMP/compile/DDP tests on CUDA and every notebook with its `#| gpu`
## cells. Without CUDA it says so and exits non-zero.
test-gpu: install
	BIN=$(BIN) tools/test_gpu.sh

## A fresh venv with `pip install .` (no [dev]) runs chapter 10's notebook (TINY cells): what a Colab user gets.
test-install:
	OMP_NUM_THREADS=1 tools/check_plain_install.sh nbs/10_software2.ipynb

check-sync: install
	PATH=$(BIN):$$PATH tools/check_sync.sh

readme: install
	$(BIN)/python tools/make_readme.py

## settings.ini for nbdev 2 tools, generated from pyproject.toml (nbdev 3 reads only pyproject.toml).
settings: install
	$(BIN)/python tools/make_settings.py

export: install
	$(BIN)/nbdev-export && $(BIN)/nbdev-clean && $(BIN)/nbdev-clean --fname index.ipynb && $(BIN)/python tools/make_readme.py && $(BIN)/python tools/make_settings.py

## Re-run notebooks top to bottom (slow cells included, GPU cells only on a GPU) and keep their outputs.
outputs: install
	$(BIN)/python tools/run_nbs.py $(NBS)

## The screenshots of the site in chapter 96, taken by the browser test's headless Chromium.
screenshot: install
	WEEKEND_NB_SCREENSHOT=nbs/images/awesome-movies.png $(BIN)/pytest -q tests/test_web.py -k chromium

## Every benchmark in bench/; `make bench QUICK=1` runs each in its seconds-long mode.
bench: install
	set -e; for f in bench/[a-z]*.py; do echo "== $$f"; $(BIN)/python $$f $(if $(QUICK),--quick); done
