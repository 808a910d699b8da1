# The README's commands. Each creates .venv/ and installs requirements.txt when needed.
VENV := .venv
PYTHON := $(VENV)/bin/python
INSTALLED := $(VENV)/.installed
export HF_HUB_OFFLINE := 1
export OMP_WAIT_POLICY := PASSIVE

.PHONY: test lint eval build

$(INSTALLED): requirements.txt
	test -x $(PYTHON) || python3 -m venv $(VENV)
	$(PYTHON) -m pip install --quiet --disable-pip-version-check -r requirements.txt
	touch $(INSTALLED)

lint: $(INSTALLED)
	$(VENV)/bin/ruff check assistant tests benchmarks
	$(VENV)/bin/ruff format --check assistant tests benchmarks
	$(VENV)/bin/mypy

test: lint
	$(PYTHON) -m pytest -q

build: $(INSTALLED)
	$(PYTHON) -m assistant build

eval: $(INSTALLED)
	$(PYTHON) -m assistant eval
