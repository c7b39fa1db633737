# logicmap: `make demo` and `make test` work on a fresh machine with only python3.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp

.PHONY: demo test install bench clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test,postgres,splink]'
	touch $(STAMP)

install: $(STAMP)

demo: $(STAMP)
	$(BIN)/logicmap demo --out demo-output

# two workers (CI has 2 cores); a test module stays on one worker so its fixtures are built once
test: $(STAMP)
	$(BIN)/python -m pytest -q -n 2 --dist loadscope

bench: $(STAMP)
	$(BIN)/python benchmarks/import_speed.py

clean:
	rm -rf $(VENV) demo-output .pytest_cache .hypothesis
