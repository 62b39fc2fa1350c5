# One command to set up and run; see README.md.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin

.PHONY: demo test test-fast conformance bench bench-archive clean

demo: $(VENV)/.installed ## set up, then generate the associations of a bundled pool into out/
	$(BIN)/asnsql generate fixtures/pools/pool_003_image_nircam.csv -p out -v
	@ls out

test: $(VENV)/.installed ## set up, then run the test suite
	$(BIN)/pytest -q

test-fast: $(VENV)/.installed ## set up, then run the tests but the conformance suite
	$(BIN)/pytest -q -m "not conformance"

conformance: $(VENV)/.installed ## regenerate docs/conformance.md
	$(BIN)/python -m asnsql.conformance

bench: $(VENV)/.installed ## time asnsql (and jwst, if .venv-ref exists)
	$(BIN)/python benchmarks/bench.py

bench-archive: $(VENV)/.installed ## archive-scale timings: docs/performance.md and its plot
	$(BIN)/pip install --quiet -e '.[test,bench]'
	$(BIN)/python benchmarks/archive_bench.py --jwst-sample 8

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[test]'
	@touch $@

clean:
	rm -rf $(VENV) out build *.egg-info
