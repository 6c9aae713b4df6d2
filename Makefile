# Two commands are the contract with a new user:
#   make run   — set up .venv (first time) and serve Lantunan on 127.0.0.1:8000 with the sample KB
#   make test  — set up .venv (first time) and run the whole test suite
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
export HF_HUB_OFFLINE := 1
export TRANSFORMERS_OFFLINE := 1
export ANONYMIZED_TELEMETRY := False

.PHONY: setup run test chromium ingest-sample eval bench clean

$(STAMP): pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	# torch first, pinned to the CPU build, so nothing later pulls a multi-GB CUDA build.
	$(BIN)/python -m pip install --quiet torch==2.13.0
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	@touch $(STAMP)

setup: $(STAMP)

# Debian's Chromium for the browser tests (no browser download by a test tool).
chromium:
	@command -v chromium >/dev/null 2>&1 || { \
	  if [ "$$(id -u)" = 0 ]; then apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; \
	  else echo "Browser tests need Debian's chromium: sudo apt-get install chromium"; fi; }

run: setup
	$(BIN)/lantunan serve --host 127.0.0.1 --port 8000

test: setup chromium
	$(BIN)/python -m pytest

ingest-sample: setup
	$(BIN)/lantunan ingest sample_kb

eval: setup
	$(BIN)/lantunan eval --questions ../shared/eval/dev.jsonl --corpus ../shared/corpus --out eval-out

bench: setup
	$(BIN)/lantunan bench --out eval-out/bench

clean:
	rm -rf $(VENV) data eval-out artifacts .pytest_cache
