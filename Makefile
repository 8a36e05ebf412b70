# The two commands of the README's Quick start. Each one creates or updates .venv first.
PYTHON ?= python3
VENV := .venv
STAMP := $(VENV)/.installed

.PHONY: run test lint

$(STAMP): pyproject.toml
	test -x $(VENV)/bin/python || $(PYTHON) -m venv $(VENV)
	$(VENV)/bin/python -m pip install --quiet --upgrade pip
	$(VENV)/bin/python -m pip install --quiet -e '.[gen,dev]'
	touch $(STAMP)

run: $(STAMP)
	$(VENV)/bin/promptcut $(ARGS)

lint: $(STAMP)
	$(VENV)/bin/ruff check editor generation tests bench tools
	$(VENV)/bin/lint-imports

test: lint
	$(VENV)/bin/python -m pytest $(PYTEST_ARGS)
