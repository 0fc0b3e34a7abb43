# ftroi: two commands for learners and developers.
#   make lab   -> set up .venv, generate the student quizzes, open JupyterLab on lesson 0
#   make test  -> set up .venv (and Chromium when root), lint, run the whole test suite
#   make test-hub -> only the end-to-end test of a class on a real JupyterHub (root)
# Running either again when nothing changed reinstalls nothing (stamp files in .venv).

PYTHON ?= python3
VENV   := .venv
BIN    := $(CURDIR)/$(VENV)/bin
# nbgrader shells out to alembic: the venv's bin/ must be on PATH.
export PATH := $(BIN):$(PATH)
export PYTHONDONTWRITEBYTECODE := 1

ALLOW_ROOT := $(shell [ "$$(id -u)" = 0 ] && echo --allow-root)
QUIZZES    := q0_end_of_lesson q1_break_even q2_eval_baselines q3_retraining

.PHONY: help lab test test-hub publish-lessons install install-test browser-deps sandbox-deps hub-deps quizzes lint clean-notebooks bench clean

help:
	@echo "make lab              set up and open the workbook in JupyterLab"
	@echo "make test             set up and run the whole test suite"
	@echo "make test-hub         only the end-to-end test of a class on a real JupyterHub"
	@echo "make quizzes          generate the student versions of the quizzes"
	@echo "make publish-lessons  build the lessons-only repository nbgitpuller links clone"
	@echo "make lint             ruff"
	@echo "make clean-notebooks  strip outputs and execution counts from notebooks"
	@echo "make bench            run the benchmarks (writes benchmarks/results.json)"

$(VENV)/bin/python:
	$(PYTHON) -m venv $(VENV)
	$(VENV)/bin/python -m pip install --quiet --upgrade pip

$(VENV)/.installed-lab: pyproject.toml | $(VENV)/bin/python
	$(VENV)/bin/python -m pip install --quiet -e .
	touch $@

$(VENV)/.installed-test: pyproject.toml | $(VENV)/bin/python
	$(VENV)/bin/python -m pip install --quiet -e ".[test,hub]"
	touch $@ $(VENV)/.installed-lab

install: $(VENV)/.installed-lab
install-test: $(VENV)/.installed-test

# Debian's Chromium for the browser tests. A test tool never downloads its own browser.
browser-deps:
	@if command -v chromium >/dev/null 2>&1; then :; \
	elif [ "$$(id -u)" = 0 ]; then \
	  echo "Installing Debian's chromium (apt-get)..."; \
	  DEBIAN_FRONTEND=noninteractive apt-get update -qq && \
	  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends chromium fonts-dejavu-core >/dev/null; \
	else \
	  echo "chromium is not installed and you are not root: the browser tests will be skipped."; \
	  echo "Install it with: sudo apt-get install chromium"; \
	fi

# Debian's bubblewrap: autograding runs each submission's kernel inside it (quizzes/ftroi_course/
# sandbox/) and refuses to run without it. Binder and `make lab` need none.
sandbox-deps:
	@if command -v bwrap >/dev/null 2>&1; then :; \
	elif [ "$$(id -u)" = 0 ]; then \
	  echo "Installing Debian's bubblewrap (apt-get)..."; \
	  DEBIAN_FRONTEND=noninteractive apt-get update -qq && \
	  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends bubblewrap >/dev/null; \
	else \
	  echo "bwrap is not installed and you are not root: the sandbox tests will be skipped."; \
	  echo "Install it with: sudo apt-get install bubblewrap"; \
	fi

# The class-on-a-hub tests: Debian's PostgreSQL (a throwaway gradebook server) and JupyterHub's
# proxy, configurable-http-proxy, from the npm registry into .venv/hub-proxy (Node.js from
# Debian when missing). Installed like Chromium: as root, or the tests say what is missing.
CHP_VERSION := 5.3.0
CHP := $(VENV)/hub-proxy/node_modules/.bin/configurable-http-proxy

hub-deps: $(CHP) $(VENV)/.installed-hub-users $(VENV)/.installed-hub-culler
	@if ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || command -v initdb >/dev/null 2>&1; then :; \
	elif [ "$$(id -u)" = 0 ]; then \
	  echo "Installing Debian's postgresql (apt-get)..."; \
	  DEBIAN_FRONTEND=noninteractive apt-get update -qq && \
	  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends postgresql >/dev/null; \
	else \
	  echo "PostgreSQL is not installed and you are not root: the gradebook tests will be skipped."; \
	  echo "Install it with: sudo apt-get install postgresql"; \
	fi
	@if command -v nginx >/dev/null 2>&1 || [ "$$(id -u)" != 0 ]; then :; \
	else \
	  echo "Installing Debian's nginx for the HTTPS example (apt-get; the service is not started)..."; \
	  if [ -e /usr/sbin/policy-rc.d ]; then made=""; else made=1; \
	    printf '#!/bin/sh\nexit 101\n' > /usr/sbin/policy-rc.d && chmod 755 /usr/sbin/policy-rc.d; fi; \
	  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends nginx >/dev/null; \
	  if [ -n "$$made" ]; then rm -f /usr/sbin/policy-rc.d; fi; \
	fi

# The hub's idle-culler service runs from the hub's environment (deploy/README.md, step 2).
$(VENV)/.installed-hub-culler: | $(VENV)/bin/python
	$(BIN)/python -m pip install --quiet "jupyterhub-idle-culler>=2,<3"
	@touch $@

$(CHP): | $(VENV)/bin/python
	@if ! command -v npm >/dev/null 2>&1 && [ "$$(id -u)" = 0 ]; then \
	  echo "Installing Debian's nodejs and npm (apt-get)..."; \
	  DEBIAN_FRONTEND=noninteractive apt-get update -qq && \
	  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends nodejs npm >/dev/null; \
	fi
	@if command -v npm >/dev/null 2>&1; then \
	  echo "Installing configurable-http-proxy@$(CHP_VERSION) (npm) into $(VENV)/hub-proxy..."; \
	  npm install --silent --no-audit --no-fund --prefix $(VENV)/hub-proxy \
	    configurable-http-proxy@$(CHP_VERSION); \
	else \
	  echo "npm is not installed and you are not root: the JupyterHub test will be skipped."; \
	fi

# Users' servers on the test hub run as other accounts from .venv/hub-users: a Python every
# account can run (a system Python when .venv's is private, e.g. pyenv under /root) and the
# package installed WITHOUT -e, as deploy/README.md installs it: an editable install would import
# the workbook from this checkout, next to the course's key, and the hub refuses to start then.
# Rebuilt (the package only) when the package's files change.
HUB_USERS := $(VENV)/hub-users
HUB_PKG_FILES := pyproject.toml $(shell find ftroi_helpers -type f -not -path '*/__pycache__/*' 2>/dev/null)
$(VENV)/.installed-hub-users: $(HUB_PKG_FILES) | $(VENV)/bin/python
	@if [ "$$(id -u)" != 0 ]; then :; \
	else \
	  py=""; for c in /usr/bin/python3.11 /usr/bin/python3 /usr/local/bin/python3 $(BIN)/python; do \
	    if [ -x $$c ] && runuser -u nobody -- $$c -c \
	      'import sys, venv, ensurepip; sys.exit(sys.version_info < (3, 10))' 2>/dev/null; then \
	      py=$$c; break; fi; \
	  done; \
	  if [ -z "$$py" ]; then \
	    echo "No Python that other accounts can run: the JupyterHub test will be skipped."; \
	  else \
	    if [ ! -x $(HUB_USERS)/bin/python ]; then \
	      echo "Users' servers: $(HUB_USERS) from $$py (the package without -e)"; \
	      $$py -m venv $(HUB_USERS) && \
	      $(HUB_USERS)/bin/python -m pip install --quiet --upgrade pip || exit 1; \
	    fi; \
	    $(HUB_USERS)/bin/python -m pip install --quiet ".[hub]" && \
	    $(HUB_USERS)/bin/python -m pip install --quiet --no-deps --force-reinstall . && \
	    rm -rf build || exit 1; \
	  fi; \
	fi
	@touch $@

# Student versions in quizzes/release/. A quiz is regenerated when its release is missing or
# older than its source or the course config, or when the gradebook is missing (each nbgrader
# command costs seconds, and `make lab` runs this every time). `make quizzes FORCE=1` redoes all.
quizzes: $(VENV)/.installed-lab
	@cd quizzes && for q in $(QUIZZES); do \
	  out=release/$$q/$$q.ipynb; \
	  if [ -n "$(FORCE)" ] || [ ! -f gradebook.db ] || [ ! -f $$out ] || \
	     [ source/$$q/$$q.ipynb -nt $$out ] || [ nbgrader_config.py -nt $$out ]; then \
	    echo "nbgrader generate_assignment $$q --force"; \
	    nbgrader generate_assignment $$q --force --log-level=WARN || exit 1; \
	  else echo "quizzes/$$out is up to date"; fi; \
	done

lab: $(VENV)/.installed-lab quizzes
	$(BIN)/jupyter lab $(ALLOW_ROOT) --LabApp.news_url=None --ServerApp.root_dir="$(CURDIR)" \
	  --LabApp.app_settings_dir="$(CURDIR)/binder/lab_settings" \
	  --LabApp.default_url=/lab/tree/lessons/00_start_here.ipynb

lint: $(VENV)/.installed-test
	$(BIN)/ruff check .

# The maths modules must keep >= 95 % branch coverage (the whole package is reported by pytest).
MATHS := validation breakeven token_costs training hosting cost_model scenario prices sources sensitivity capstone rules_of_thumb quality eval_stats
comma := ,
empty :=
space := $(empty) $(empty)
MATHS_FILES := $(subst $(space),$(comma),$(foreach m,$(MATHS),ftroi_helpers/$(m).py))

test: $(VENV)/.installed-test browser-deps sandbox-deps hub-deps lint
	$(BIN)/python -m pytest
	@echo "Branch coverage of the maths modules (must be >= 95%):"
	$(BIN)/python -m coverage report --include='$(MATHS_FILES)' --fail-under=95

# The end-to-end test alone: a real JupyterHub on 127.0.0.1 with real local accounts (as root).
test-hub: $(VENV)/.installed-test hub-deps
	$(BIN)/python -m pytest -m hub --no-cov -p no:cacheprovider tests/

# The lessons-only repository for nbgitpuller links (deploy/publish_lessons.py): no quizzes, no
# key, no history of the course. Created, or updated with one more commit; then push it.
LESSONS_REPO ?= artifacts/ftroi-lessons
publish-lessons: $(VENV)/.installed-lab
	$(BIN)/python deploy/publish_lessons.py $(LESSONS_REPO)

clean-notebooks: $(VENV)/.installed-test
	$(BIN)/nbstripout --keep-id lessons/*.ipynb quizzes/source/*/*.ipynb

bench: $(VENV)/.installed-test
	$(BIN)/python benchmarks/run.py

clean:
	rm -rf .pytest_cache .ruff_cache htmlcov .coverage artifacts
