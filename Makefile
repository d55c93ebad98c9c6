# Two commands do all the set-up on a fresh machine: `make demo` and `make test`.
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: demo test test-full audit install bench lint-cypher stop clean

$(BIN)/python:
	@command -v $(PYTHON) >/dev/null 2>&1 || { echo "Python 3.11 is needed (set PYTHON=/path/to/python3.11)"; exit 1; }
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

$(STAMP): $(BIN)/python requirements.txt requirements-test.txt pyproject.toml package.json package-lock.json
	$(BIN)/pip install --quiet -r requirements.txt -r requirements-test.txt
	$(BIN)/pip install --quiet --no-deps -e .
	npm ci --no-audit --no-fund --loglevel=error
	touch $(STAMP)

install: $(STAMP)

demo: $(STAMP)
	$(BIN)/minqing demo

test: $(STAMP)
	$(BIN)/python -m pytest -q

# The reliability suites (issue 9) in full mode: >= 20 kill points, 10,000 cases per fuzz
# target. `make test` runs the same suites in quick mode.
test-full: $(STAMP)
	MINQING_FULL=1 $(BIN)/python -m pytest -q tests/faults tests/fuzz \
		tests/models/test_demand_fuzz.py

audit: $(STAMP)
	.ci/audit

bench: $(STAMP)
	$(BIN)/python bench/run_all.py

stop:
	-$(BIN)/minqing db stop

clean: stop
	rm -rf $(VENV) node_modules
