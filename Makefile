# Set-up and the README's two commands. Torch is installed only when missing: `torch==2.13.0`
# is the local CPU wheel on our machines; any other spec would download gigabytes.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin

.PHONY: setup run test gate browser

$(BIN)/harness: pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -c "import torch" 2>/dev/null || $(BIN)/pip install torch==2.13.0
	$(BIN)/pip install -e ".[dev]"
	touch $@

setup: $(BIN)/harness

run: setup
	$(BIN)/harness run

# The report's tests drive Debian's headless Chromium through its chromedriver (Selenium, from
# the dev extra); installed here when missing (root, or sudo where there is one).
SUDO := $(shell [ "$$(id -u)" = 0 ] || command -v sudo)
browser:
	command -v chromium >/dev/null && command -v chromedriver >/dev/null || \
		{ $(SUDO) apt-get update && $(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends chromium chromium-driver; }

# pytest exits 5 when it collects no tests; make passes that on as a failure.
test: setup browser
	$(BIN)/pytest $(PYTEST_ARGS)

# The regression gate CI runs beside the tests: gold-as-prediction must score 100% on every
# task whose data is here, and the committed reference adapter, evaluated on CPU on the first
# 100 test samples, must not regress against its committed baseline.
SHARED_DATA ?= ../shared/data
GATE_RUN := results/runs/ci-reference
gate: setup
	$(BIN)/harness data selfscore --task sample --split test
	if [ -d $(SHARED_DATA)/duckdb-nsql ]; then $(BIN)/harness data selfscore --task duckdb-nsql --data $(SHARED_DATA)/duckdb-nsql --split all; fi
	if [ -f $(SHARED_DATA)/gretel-sample/text_to_sql.csv ]; then $(BIN)/harness data selfscore --task $(SHARED_DATA)/gretel-sample/text_to_sql.csv --split all; fi
	rm -rf $(GATE_RUN)
	$(BIN)/harness eval --checkpoint results/reference/adapter --limit 100 --run $(GATE_RUN) --no-progress
	$(BIN)/harness gate $(GATE_RUN) --checkpoint adapter --baseline reference-sample-test100 --markdown $(GATE_RUN)/gate.md
