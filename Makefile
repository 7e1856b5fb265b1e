# The two commands from the README:
#   make publish   set up .venv if needed, install, build every article into build/
#   make test      install what the tests need (Debian packages too), lint, type-check, run the suite
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
DEBS   := chromium libreoffice-writer-nogui poppler-utils fonts-noto-core fonts-noto-cjk

.PHONY: publish test install install-test system-deps lint bench clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install -q -e .
	touch $@

$(VENV)/.installed-test: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install -q -e '.[test]'
	touch $@ $(VENV)/.installed

install: $(VENV)/.installed
install-test: $(VENV)/.installed-test system-deps

publish: $(VENV)/.installed
	$(BIN)/python publish.py all

# Real clients the tests open the outputs with: Chromium, LibreOffice, poppler.
system-deps:
	@missing=""; \
	for pkg in $(DEBS); do dpkg -s $$pkg >/dev/null 2>&1 || missing="$$missing $$pkg"; done; \
	if [ -n "$$missing" ]; then \
	  if [ "$$(id -u)" = "0" ]; then \
	    echo "Installing Debian packages:$$missing"; \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing >/dev/null; \
	  else \
	    echo "The tests need these Debian packages:$$missing"; \
	    echo "Install them with: sudo apt-get install$$missing"; \
	    exit 1; \
	  fi; \
	fi

lint: $(VENV)/.installed-test
	$(BIN)/ruff check publishkit tests publish.py
	$(BIN)/ruff format --check publishkit tests publish.py
	$(BIN)/mypy publishkit

test: install-test lint
	$(BIN)/python -m pytest -q -n 2

bench: $(VENV)/.installed-test
	$(BIN)/python benchmarks/bench_catalog.py

clean:
	rm -rf build
