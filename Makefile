SHELL := /bin/bash
.DEFAULT_GOAL := help

PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed
# pytest workers: the notebooks and the unit tests share the machine's cores
JOBS   ?= 2

NOTEBOOKS := $(wildcard notebooks/*.ipynb)
NBVAL := --nbval --nbval-current-env --nbval-sanitize-with tests/nbval_sanitize.cfg
# what a build leaves that the next one must not reuse: the whole of _build (Sphinx's environment
# would skip the notebooks whose source is unchanged, and show the outputs of older code), the
# results and figures the notebooks wrote
FRESH := _build outputs

.PHONY: help bootstrap test unit-tests book-check book bench lint clean

help:
	@echo "make book   # set-up + executes every notebook once, builds the HTML book into _build/html"
	@echo "make test   # set-up + lint, unit tests and every notebook under nbval, the book from those"
	@echo "            # executions, and the browser check of the built book"
	@echo "make bench  # set-up + benchmarks/run.py"
	@echo "make clean  # remove _build, outputs and .venv"

# Set-up: a local venv with the pinned stack of constraints.txt. uv installs it in seconds; if uv
# cannot be installed, pip does the same, more slowly.
#
# Where PYTHONDONTWRITEBYTECODE is set (as on this project's machines), no bytecode is cached, and
# every kernel, worker and process compiles numpy, scipy, matplotlib and IPython again (seconds
# each). The recipes here write the caches: into .venv and the git-ignored __pycache__ folders,
# once for each module a run imports (compiling all of .venv at install time costs more).
unexport PYTHONDONTWRITEBYTECODE

$(STAMP): pyproject.toml constraints.txt
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	@if $(PY) -m pip install --quiet --disable-pip-version-check uv >/dev/null 2>&1; then \
	    $(VENV)/bin/uv pip install --quiet --python $(PY) -c constraints.txt -e '.[test,book]'; \
	else \
	    $(PY) -m pip install --quiet --disable-pip-version-check -c constraints.txt -e '.[test,book]'; \
	fi
	@touch $@

bootstrap: $(STAMP)

# The book executes every notebook once (execute_notebooks: cache, from an empty cache).
book: $(STAMP)
	rm -rf $(FRESH)
	$(VENV)/bin/jupyter-book build . -W -n --keep-going

# Each notebook executes once: under nbval (its printed numbers must match the committed ones),
# which stages it for the book (tests/conftest.py --nb-record, book/_ext/executed_notebooks.py);
# the book build then shows those executions, and the browser check reads the built book. The
# notebooks take both cores; then the unit tests (one core) run beside the book build and the
# browser check (mostly one core).
test: $(STAMP)
	rm -rf $(FRESH)
	$(VENV)/bin/ruff check lqg tests benchmarks book/_ext
	$(PY) -m pytest -p tests.conftest -n $(JOBS) --dist loadfile --no-loadscope-reorder \
	    $(NBVAL) $(NOTEBOOKS) --nb-record _build/executed
	$(MAKE) --no-print-directory --output-sync=target -j 2 unit-tests book-check

unit-tests: $(STAMP)
	$(PY) -m pytest tests --ignore=tests/test_book_html.py

book-check: $(STAMP)
	$(VENV)/bin/jupyter-book build . -W -n --keep-going
	$(PY) -m pytest tests/test_book_html.py

lint: $(STAMP)
	$(VENV)/bin/ruff check lqg tests benchmarks book/_ext

bench: $(STAMP)
	$(PY) benchmarks/run.py

clean:
	rm -rf _build outputs $(VENV)
