# Two commands: `make run` (demo on http://127.0.0.1:5000) and `make test` (the whole suite).
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PO := $(wildcard attest/translations/*/LC_MESSAGES/*.po)
MO := $(PO:.po=.mo)

.PHONY: run test install install-test translations extract-messages lint bench clean upgrade-lock

# Installs take the exact versions of requirements/lock.txt (made by pip-compile from setup.cfg),
# so a release upstream cannot break a fresh clone overnight. `make upgrade-lock` moves them on
# purpose and runs the suite.
LOCK := requirements/lock.txt
PIP_INSTALL := $(BIN)/pip install -q -c $(LOCK)

run: $(VENV)/.installed translations
	$(BIN)/attest demo setup
	ATTEST_MAIL_TO_LOG=$${ATTEST_MAIL_TO_LOG:-true} ATTEST_SYNTHETIC_AUDIO=$${ATTEST_SYNTHETIC_AUDIO:-allow} $(BIN)/flask --app wsgi run --host 127.0.0.1 --port 5000

test: $(VENV)/.installed-test translations
	$(BIN)/python -m pytest $(PYTEST_ARGS)

install: $(VENV)/.installed
install-test: $(VENV)/.installed-test

$(VENV)/bin/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q -r requirements/build.txt

$(VENV)/.installed: $(VENV)/bin/python setup.cfg pyproject.toml $(LOCK)
	$(PIP_INSTALL) -e '.[postgres]'
	touch $@

$(VENV)/.installed-test: $(VENV)/bin/python setup.cfg pyproject.toml $(LOCK)
	$(PIP_INSTALL) -e '.[test,postgres]'
	touch $@ $(VENV)/.installed

translations: $(MO)

%.mo: %.po
	$(BIN)/pybabel -q compile -i $< -o $@

# The .po files are the source of every translation: extraction refreshes both templates, then
# every language's catalogue of each domain (translations kept); `tools/po_status.py` lists what
# is still to translate. A new language: `pybabel init` (docs/kiosk-languages.md).
extract-messages:
	$(BIN)/pybabel -q extract -F babel.cfg -k _l -k N_ -o attest/translations/messages.pot --no-location --sort-output .
	$(BIN)/pybabel -q extract -F babel_kiosk.cfg -k _l -k N_ -o attest/translations/kiosk.pot --no-location --sort-output .
	$(BIN)/python tools/po_update.py
	$(BIN)/python tools/po_status.py

lint:
	$(BIN)/ruff check attest tests benchmarks

bench: $(VENV)/.installed-test
	$(PIP_INSTALL) -e '.[test,postgres,bench]'
	$(BIN)/python benchmarks/bench_issue.py
	$(BIN)/python benchmarks/bench_verify.py

upgrade-lock: $(VENV)/bin/python
	$(BIN)/pip install -q 'pip-tools>=7.4'
	$(BIN)/pip-compile -q --upgrade --strip-extras --no-emit-index-url --no-emit-find-links \
	  --extra test --extra postgres --extra bench --output-file $(LOCK) setup.cfg
	$(PIP_INSTALL) -e '.[test,postgres,bench]'
	touch $(VENV)/.installed-test $(VENV)/.installed
	$(MAKE) test

clean:
	rm -rf $(VENV) *.egg-info
