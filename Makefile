# Set-up and the README's two commands. Torch is installed only when missing: `torch==2.13.0`
# is the local CPU wheel on our machines; any other spec would download gigabytes.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin

.PHONY: setup run test

$(BIN)/harness: pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -c "import torch" 2>/dev/null || $(BIN)/pip install torch==2.13.0
	$(BIN)/pip install -e ".[dev]"
	touch $@

setup: $(BIN)/harness

run: setup
	$(BIN)/harness run

# pytest exits 5 when it collects no tests; make passes that on as a failure.
test: setup
	$(BIN)/pytest $(PYTEST_ARGS)
