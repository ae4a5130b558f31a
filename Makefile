# Two commands: `make run` (demo on http://127.0.0.1:5000) and `make test` (the whole suite).
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PO := $(wildcard attest/translations/*/LC_MESSAGES/*.po)
MO := $(PO:.po=.mo)

.PHONY: run test install install-test translations extract-messages lint bench clean

run: $(VENV)/.installed translations
	$(BIN)/attest demo setup
	$(BIN)/flask --app wsgi run --host 127.0.0.1 --port 5000

test: $(VENV)/.installed-test translations
	$(BIN)/python -m pytest $(PYTEST_ARGS)

install: $(VENV)/.installed
install-test: $(VENV)/.installed-test

$(VENV)/bin/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip setuptools wheel

$(VENV)/.installed: $(VENV)/bin/python setup.cfg pyproject.toml
	$(BIN)/pip install -q -e '.[postgres]'
	touch $@

$(VENV)/.installed-test: $(VENV)/bin/python setup.cfg pyproject.toml
	$(BIN)/pip install -q -e '.[test,postgres]'
	touch $@ $(VENV)/.installed

translations: $(MO)

%.mo: %.po
	$(BIN)/pybabel -q compile -i $< -o $@

extract-messages:
	$(BIN)/pybabel -q extract -F babel.cfg -k _l -k N_ -o attest/translations/messages.pot --no-location --sort-output .
	$(BIN)/pybabel -q update -i attest/translations/messages.pot -d attest/translations --no-fuzzy-matching
	$(BIN)/pybabel -q extract -F babel_kiosk.cfg -k _l -k N_ -o attest/translations/kiosk.pot --no-location --sort-output .

lint:
	$(BIN)/ruff check attest tests benchmarks

bench: $(VENV)/.installed-test
	$(BIN)/python benchmarks/bench_issue.py
	$(BIN)/python benchmarks/bench_verify.py

clean:
	rm -rf $(VENV) *.egg-info
