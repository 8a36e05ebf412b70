# The two commands of the README's Quick start. Each one creates or updates .venv first.
PYTHON ?= python3
VENV := .venv
STAMP := $(VENV)/.installed

.PHONY: run test lint bundle

# System packages first (Debian/Ubuntu: Qt's xcb libraries, Xvfb, a sound server; elsewhere it only says what
# to install and never fails), so `make run` and `make test` set up a fresh machine completely.
$(STAMP): pyproject.toml tools/system-packages.sh
	PYTHON=$(PYTHON) sh tools/system-packages.sh
	test -x $(VENV)/bin/python || $(PYTHON) -m venv $(VENV)
	$(VENV)/bin/python -m pip install --quiet --upgrade pip
	$(VENV)/bin/python -m pip install --quiet -e '.[gen,dev,cluster]'
	touch $(STAMP)

run: $(STAMP)
	$(VENV)/bin/promptcut $(ARGS)

lint: $(STAMP)
	$(VENV)/bin/ruff check editor generation tests bench tools
	$(VENV)/bin/lint-imports

test: lint
	$(VENV)/bin/python -m pytest $(PYTEST_ARGS)

# The Linux desktop bundle (PyInstaller, one folder): dist/promptcut/ and dist/promptcut-<version>-linux-<arch>.tar.gz.
# PyInstaller's work folder build/bundle is kept, so a second build takes a fraction of the first.
bundle: $(STAMP)
	$(VENV)/bin/python packaging/build_bundle.py $(BUNDLE_ARGS)
