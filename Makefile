# The template's commands: `make demo` (the main job) and `make test` (every template test).
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
DEMO_DIR ?= .demo
export PATH := $(CURDIR)/$(BIN):$(PATH)

.PHONY: demo test venv clean

$(BIN)/.installed: requirements-dev.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --disable-pip-version-check uv
	VIRTUAL_ENV=$(VENV) $(BIN)/uv pip install -q -r requirements-dev.txt
	touch $@

venv: $(BIN)/.installed

demo: venv
	rm -rf $(DEMO_DIR)/backtest-lab
	$(BIN)/cookiecutter --no-input --output-dir $(DEMO_DIR) .
	$(MAKE) -C $(DEMO_DIR)/backtest-lab install backtest bench

test: venv
	scripts/with-postgres.sh $(BIN)/python -m pytest -n 2 tests

clean:
	rm -rf $(VENV) $(DEMO_DIR)
