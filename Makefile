# One command to set up and run; see README.md.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin

.PHONY: demo test conformance bench clean

demo: $(VENV)/.installed ## set up, then generate the associations of a bundled pool into out/
	$(BIN)/asnsql generate fixtures/pools/pool_003_image_nircam.csv -p out -v
	@ls out

test: $(VENV)/.installed ## set up, then run the test suite
	$(BIN)/pytest -q

conformance: $(VENV)/.installed ## regenerate docs/conformance.md
	$(BIN)/python -m asnsql.conformance

bench: $(VENV)/.installed ## time asnsql (and jwst, if .venv-ref exists)
	$(BIN)/python benchmarks/bench.py

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[test]'
	@touch $@

clean:
	rm -rf $(VENV) out build *.egg-info
