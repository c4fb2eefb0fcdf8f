# The two commands the README shows: `make run` and `make test`. Everything else is a step of theirs.
SHELL := /bin/bash
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed-$(shell sha1sum pyproject.toml | cut -c1-12)
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: install system-packages messages run test test-long fuzz lint check bench clean

$(STAMP): pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info[:2] == (3, 11) else "Python 3.11 is required")'
	$(PYTHON) -m venv $(VENV)
	$(VENV)/bin/pip install --quiet --upgrade pip
	$(VENV)/bin/pip install --quiet -e ".[dev]"
	rm -f $(VENV)/.installed-* && touch $(STAMP)

system-packages:
	@bash scripts/install-system-packages.sh

messages: $(STAMP) system-packages
	$(PY) manage.py compilemessages --ignore=.venv --ignore=var -v 0

install: $(STAMP) system-packages messages

# Links in e-mails name the address being served, unless PORTAL_BASE_URL says otherwise.
run: export PORTAL_BASE_URL ?= http://$(HOST):$(PORT)
run: install
	$(PY) manage.py migrate --no-input -v 0
	$(PY) manage.py createcachetable
	$(PY) manage.py seed_demo
	@echo "Extracting and indexing the demo documents..."
	$(PY) manage.py db_worker --queue-name '*' --batch --no-startup-delay -v 0
	$(PY) manage.py search_status
	@echo ""
	@echo "The portal runs at http://$(HOST):$(PORT)/  (Ctrl-C stops it, the task worker, the scheduler and the embedded database)"
	@PY=$(PY) HOST=$(HOST) PORT=$(PORT) exec bash scripts/serve.sh

lint: $(STAMP)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

check: $(STAMP)
	$(PY) manage.py check --fail-level WARNING
	$(PY) manage.py makemigrations --check --dry-run -v 1
	bash scripts/check-deploy.sh

# The Elasticsearch tests need a real node: the script starts one from Maven artifacts, or
# says loudly why it cannot, and those tests are then skipped with that reason.
test: install lint check
	@scripts/elasticsearch.sh start || echo "!!! NO ELASTICSEARCH 8 NODE: the Elasticsearch tests will be SKIPPED (reason above)."
	@status=0; $(VENV)/bin/pytest || status=$$?; scripts/elasticsearch.sh stop; exit $$status

# The long runs (marker `slow`, not part of `make test`): the isolation oracles and the API
# fuzzing with many examples, new ones each run. A failure prints how to reproduce it.
test-long: install
	$(VENV)/bin/pytest -m slow --hypothesis-profile=random

fuzz: install
	$(VENV)/bin/pytest -m slow --hypothesis-profile=random tests/api/test_schema.py

# Benchmarks (not part of the test suite): figures go into the README.
bench: install
	cd bench && ../$(PY) dossier_list.py
	cd bench && ../$(PY) upload_memory.py
	cd bench && ../$(PY) search.py
	cd bench && ../$(PY) api.py

clean:
	rm -rf $(VENV) var
