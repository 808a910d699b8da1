# The README's commands. Each creates .venv/ and installs requirements.txt when needed.
VENV := .venv
PYTHON := $(VENV)/bin/python
INSTALLED := $(VENV)/.installed
CHROMIUM := /usr/bin/chromium
# apt-get needs root: use sudo unless we are root already
AS_ROOT := $(if $(filter 0,$(shell id -u)),,sudo)
HOST ?= 127.0.0.1
PORT ?= 7860
export HF_HUB_OFFLINE := 1
export OMP_WAIT_POLICY := PASSIVE
export GRADIO_ANALYTICS_ENABLED := False

.PHONY: run test lint eval eval-locked build bench

$(INSTALLED): requirements.txt
	test -x $(PYTHON) || python3 -m venv $(VENV)
	$(PYTHON) -m pip install --quiet --disable-pip-version-check -r requirements.txt
	touch $(INSTALLED)

# The browser tests drive Debian's Chromium (Playwright's own download is not used).
$(CHROMIUM):
	$(AS_ROOT) apt-get update -qq
	DEBIAN_FRONTEND=noninteractive $(AS_ROOT) apt-get install -y -qq chromium >/dev/null

# The ingestion tests make policy files with the office's own tools: pandoc (Word, HTML) and
# LibreOffice (PDF with footnotes at page bottoms).
PANDOC := /usr/bin/pandoc
SOFFICE := /usr/bin/soffice
$(PANDOC) $(SOFFICE):
	$(AS_ROOT) apt-get update -qq
	DEBIAN_FRONTEND=noninteractive $(AS_ROOT) apt-get install -y -qq --no-install-recommends \
		pandoc libreoffice-writer-nogui >/dev/null

# The store tests run against a throwaway PostgreSQL server (initdb in a temporary folder).
POSTGRES := /usr/lib/postgresql
$(POSTGRES):
	$(AS_ROOT) apt-get update -qq
	DEBIAN_FRONTEND=noninteractive $(AS_ROOT) apt-get install -y -qq --no-install-recommends \
		postgresql >/dev/null

# Builds the index first if it is missing or stale, then prints the URL and serves.
run: $(INSTALLED)
	$(PYTHON) -m assistant serve --host $(HOST) --port $(PORT)

lint: $(INSTALLED)
	$(VENV)/bin/ruff check assistant tests benchmarks
	$(VENV)/bin/ruff format --check assistant tests benchmarks
	$(VENV)/bin/mypy

test: lint $(CHROMIUM) $(PANDOC) $(SOFFICE) $(POSTGRES)
	$(PYTHON) -m pytest -q

build: $(INSTALLED)
	$(PYTHON) -m assistant build

# The tuning part of the independent questions, then the earlier set as a second opinion.
eval: $(INSTALLED)
	$(PYTHON) -m assistant eval tests/data/independent/cv.jsonl
	$(PYTHON) -m assistant eval tests/data/eval.jsonl

# The locked test part: every run is a look, to be counted in tests/data/independent/README.md.
eval-locked: $(INSTALLED)
	$(PYTHON) -m assistant eval tests/data/independent/locked.jsonl

# Speed, memory and scale against the targets (see BENCHMARKS.md); about 15 minutes.
bench: $(INSTALLED)
	PYTHONPATH=. $(PYTHON) benchmarks/cold_start.py
	PYTHONPATH=. $(PYTHON) benchmarks/warm_latency.py
	PYTHONPATH=. $(PYTHON) benchmarks/serve_load.py --clients 16 --requests 2000
	PYTHONPATH=. $(PYTHON) benchmarks/scale.py
	PYTHONPATH=. $(PYTHON) benchmarks/e5_precision.py
	PYTHONPATH=. $(PYTHON) benchmarks/ingestion_speed.py
	PYTHONPATH=. $(PYTHON) benchmarks/question_log_cost.py
