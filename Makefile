SHELL := /bin/bash
.DEFAULT_GOAL := help

PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed
# pytest workers: the notebooks and the unit tests share the machine's cores
JOBS   ?= 2

# the longest first, so that the two workers finish together (pytest-xdist keeps this order); a
# notebook not named here runs last
LONGEST_FIRST := $(addprefix notebooks/,$(addsuffix .ipynb,07_readings 09_model_free_n_players \
    12_gradient_estimator 11_sensitivity_maps 10_counterexample 13_your_own_game \
    03_unknown_parameters 06_section_5_2_noise 08_n_players 04_section_5_1_convergence \
    05_section_5_1_deterministic 02_known_parameters 01_game_and_equilibrium))
NOTEBOOKS := $(LONGEST_FIRST) $(filter-out $(LONGEST_FIRST),$(wildcard notebooks/*.ipynb))
NBVAL := --nbval --nbval-current-env --nbval-sanitize-with tests/nbval_sanitize.cfg
# what a build leaves that the next one must not reuse: the whole of _build (Sphinx's environment
# would skip the notebooks whose source is unchanged, and show the outputs of older code), the
# results and figures the notebooks wrote
FRESH := _build outputs

.PHONY: help bootstrap test unit-tests book-check book bench lint reference stability clean

help:
	@echo "make book       # set-up + executes every notebook once, builds the HTML book into _build/html"
	@echo "make test       # set-up + lint, every notebook under nbval, their results against"
	@echo "                # tests/reference, unit tests, the book from those executions, browser check"
	@echo "make bootstrap  # set-up only: .venv with the pinned stack (for papermill reruns)"
	@echo "make bench      # set-up + benchmarks/run.py"
	@echo "make reference  # rewrite tests/reference from the results of the last make test"
	@echo "make stability  # rerun notebooks 04-07, 10 and 11 with other root seeds, compare verdicts"
	@echo "make clean      # remove _build, outputs and .venv"

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
	$(VENV)/bin/ruff check .
	$(PY) -m pytest -p tests.conftest -n $(JOBS) --dist loadfile --no-loadscope-reorder \
	    $(NBVAL) $(NOTEBOOKS) --nb-record _build/executed
	$(MAKE) --no-print-directory --output-sync=target -j 2 unit-tests book-check

# the unit tests, and every notebook's results.json against tests/reference (the comparison reads
# the outputs the notebooks just wrote)
unit-tests: $(STAMP)
	$(PY) -m pytest tests --ignore=tests/test_book_html.py --results outputs

book-check: $(STAMP)
	$(VENV)/bin/jupyter-book build . -W -n --keep-going
	$(PY) -m pytest tests/test_book_html.py

lint: $(STAMP)
	$(VENV)/bin/ruff check .

# after a make test whose numbers changed on purpose: the new numbers become the reference
reference: $(STAMP)
	$(PY) tests/results_reference.py update outputs tests/reference

# the verdicts of notebooks 04-07, 10 and 11 under other root seeds (SEEDS="101 202" by default)
SEEDS ?= 101 202
stability: $(STAMP)
	$(PY) -m lqg.reproduction.stability --seeds $(SEEDS)

bench: $(STAMP)
	$(PY) benchmarks/run.py

clean:
	rm -rf _build outputs $(VENV)
