# Two commands do everything on a fresh machine:
#   make run    create the virtual environment, install, start the app on content/
#   make test   create or refresh the environment, then run ruff, the import contract, mypy and pytest
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
KB ?= content

.PHONY: run test lint bench screenshots clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e .
	touch $@

$(VENV)/.installed-test: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $@ $(VENV)/.installed

run: $(VENV)/.installed
	$(BIN)/python -m kbstudio.qtcheck
	$(BIN)/kbstudio $(KB)

lint: $(VENV)/.installed-test
	$(BIN)/ruff check kbstudio tests bench docs
	$(BIN)/lint-imports
	$(BIN)/mypy

test: lint
	QT_QPA_PLATFORM=offscreen $(BIN)/python -m pytest

bench: $(VENV)/.installed-test
	$(BIN)/python -m pip install --quiet -e '.[test,bench]'
	$(BIN)/python bench/search_quality.py
	$(BIN)/python bench/search_speed.py
	$(BIN)/python bench/lint_speed.py
	$(BIN)/python bench/redact_speed.py
	QT_QPA_PLATFORM=offscreen $(BIN)/python bench/gui_lag.py
	$(BIN)/python bench/render_fidelity.py
	$(BIN)/python bench/render_worst.py

screenshots: $(VENV)/.installed-test
	QT_QPA_PLATFORM=offscreen $(BIN)/python docs/make_screenshots.py

clean:
	rm -rf $(VENV) build *.egg-info .pytest_cache .mypy_cache
