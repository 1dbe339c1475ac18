# The two commands: `make run` starts the platform, `make test` tests it.
# Each creates .venv and installs what it needs on first use.

PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed

.PHONY: run test lint contracts contracts-check bench lock clean

$(STAMP): pyproject.toml constraints.txt
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	@$(PY) -m pip install --quiet --upgrade pip
	@$(PY) -m pip install --quiet -c constraints.txt -e '.[dev]'
	@touch $(STAMP)

run: $(STAMP)
	@$(PY) -m portal.launch

test: $(STAMP)
	@$(PY) -m pytest -q

lint: $(STAMP)
	@$(VENV)/bin/ruff check .
	@$(VENV)/bin/ruff format --check .

contracts: $(STAMP)
	@$(PY) scripts/contracts.py generate

contracts-check: $(STAMP)
	@$(PY) scripts/contracts.py check

bench: $(STAMP)
	@$(PY) scripts/bench_publish.py

lock: $(STAMP)
	@$(PY) -m pip install --quiet -e '.[dev]'
	@(echo "# Exact versions of every package, direct and transitive, that make installs."; \
	  echo "# Regenerate after changing pyproject.toml: make lock"; \
	  $(PY) -m pip freeze --exclude-editable | grep -v '^-e') > constraints.txt

clean:
	rm -rf var .pytest_cache .ruff_cache
