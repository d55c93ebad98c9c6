# Two commands do all the set-up on a fresh machine: `make demo` and `make test`.
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: demo test test-reliability test-full audit install bench lint-cypher stop clean

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

# Everything: the main suite, then the reliability suites in quick mode.
test: $(STAMP)
	$(BIN)/python -m pytest -q --ignore=tests/faults --ignore=tests/fuzz
	$(MAKE) --no-print-directory test-reliability

# The reliability suites (issue 9): fault injection and fuzzing. Their tests mostly wait on
# real servers starting, dying and recovering, so three workers (one module each at a
# time, each with its own ArcadeDB) share two cores well.
RELIABILITY := -n 3 --dist loadfile tests/faults tests/fuzz
test-reliability: $(STAMP)
	$(BIN)/python -m pytest -q $(RELIABILITY)

# The same in full mode: >= 20 kill points per victim, 10,000 cases per fuzz target.
test-full: $(STAMP)
	MINQING_FULL=1 $(BIN)/python -m pytest -q $(RELIABILITY) tests/models/test_demand_fuzz.py

audit: $(STAMP)
	.ci/audit

bench: $(STAMP)
	$(BIN)/python bench/run_all.py

stop:
	-$(BIN)/minqing db stop

clean: stop
	rm -rf $(VENV) node_modules
