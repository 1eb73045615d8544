# Two commands do all set-up on a fresh machine: `make demo` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin

# Debian's FreeDict dictionaries: the bilingual lexicon that lets reports in German,
# French, Spanish, Polish, Turkish, Arabic and Russian meet English ones.
SYSTEM_PACKAGES := dict-freedict-deu-eng dict-freedict-eng-deu dict-freedict-fra-eng \
	dict-freedict-spa-eng dict-freedict-pol-eng dict-freedict-tur-eng dict-freedict-ara-eng \
	dict-freedict-eng-rus

# The web UI's end-to-end tests drive Debian's Chromium (through Playwright, which must
# not download a browser of its own). The store contract tests start a throw-away
# cluster with Debian's PostgreSQL server binaries (tests/pg_support.py).
TEST_SYSTEM_PACKAGES := chromium postgresql

.PHONY: demo test lint typecheck unit bench clean install system-packages test-system-packages \
	java-runtime

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

system-packages:
	@if dpkg -s $(SYSTEM_PACKAGES) >/dev/null 2>&1; then :; \
	elif [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $(SYSTEM_PACKAGES); \
	else \
		echo "note: install $(SYSTEM_PACKAGES) (as root: apt-get install) for cross-language matching"; \
	fi

test-system-packages:
	@if dpkg -s $(TEST_SYSTEM_PACKAGES) >/dev/null 2>&1; then :; \
	elif [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $(TEST_SYSTEM_PACKAGES); \
	else \
		echo "note: install $(TEST_SYSTEM_PACKAGES) for the browser and PostgreSQL tests (skipped without)"; \
	fi

# Spark (the `spark` extra, tests/test_spark.py) runs on a Java 17 runtime.
java-runtime:
	@if command -v java >/dev/null; then :; \
	elif [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq openjdk-17-jre-headless; \
	else \
		echo "note: install openjdk-17-jre-headless for the Spark tests (skipped without java)"; \
	fi

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e ".[test]"
	touch $@

# The optional dense-embedding backend is tested with a tiny model the tests build;
# torch comes from the CPU wheel the extra's cap selects.
$(VENV)/.embeddings: $(VENV)/.installed
	$(BIN)/pip install --quiet -e ".[test,embeddings]"
	touch $@

# pyspark and pyarrow for the Spark job, its tests and its type checks.
$(VENV)/.spark: $(VENV)/.embeddings
	$(BIN)/pip install --quiet -e ".[test,embeddings,spark]"
	touch $@

$(VENV)/.lexicon: $(VENV)/.installed | system-packages
	$(BIN)/python -m storyline.text.lexicon build
	touch $@

install: system-packages $(VENV)/.installed $(VENV)/.lexicon

DEMO_PORT ?= 8000

demo: install
	$(BIN)/storyline ingest demo/corpus
	$(BIN)/storyline stories --limit 20
	@echo
	@echo "Explore the stories in ./storyline.db:"
	@echo "  $(BIN)/storyline stories            # list stories"
	@echo "  $(BIN)/storyline show STORY_ID      # one story, its sources and articles"
	@echo "  $(BIN)/storyline search TEXT        # full-text search"
	@echo
	@echo "Serving them at http://127.0.0.1:$(DEMO_PORT)/ (Ctrl-C stops the server)"
	$(BIN)/storyline serve --host 127.0.0.1 --port $(DEMO_PORT)

lint: install
	$(BIN)/ruff check src tests benchmarks
	$(BIN)/ruff format --check src tests benchmarks

typecheck: install $(VENV)/.spark
	$(BIN)/mypy

unit: install test-system-packages java-runtime $(VENV)/.embeddings $(VENV)/.spark
	$(BIN)/pytest -q

test: lint typecheck unit

bench: install
	$(BIN)/python benchmarks/run.py

clean:
	rm -rf $(VENV) build dist src/*.egg-info .pytest_cache .mypy_cache .ruff_cache
