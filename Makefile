SHELL := /bin/bash
.DEFAULT_GOAL := help

PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed

NOTEBOOKS := $(wildcard notebooks/*.ipynb)
ifneq ($(strip $(NOTEBOOKS)),)
NBVAL_ARGS := --nbval --nbval-current-env --nbval-sanitize-with tests/nbval_sanitize.cfg $(NOTEBOOKS)
else
NBVAL_ARGS :=
endif

.PHONY: help bootstrap test book bench clean

help:
	@echo "make book   # set-up + executes every notebook, builds the HTML book into _build/html"
	@echo "make test   # set-up + the book (as make book) + the whole test suite, browser check included"
	@echo "make bench  # set-up + benchmarks/run.py"
	@echo "make clean  # remove _build and .venv"

# Set-up: a local venv with the pinned stack from constraints.txt.
$(STAMP): pyproject.toml constraints.txt
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check -c constraints.txt -e '.[test,book]'
	@touch $@

bootstrap: $(STAMP)

# The book is built first: tests/test_book_html.py checks _build/html in headless Chromium.
test: book
	$(PY) -m pytest tests $(NBVAL_ARGS)

book: $(STAMP)
	$(VENV)/bin/jupyter-book build . -W -n --keep-going

bench: $(STAMP)
	$(PY) benchmarks/run.py

clean:
	rm -rf _build $(VENV)
