# The two commands the README shows: `make run` and `make test`. Everything else is a step of theirs.
SHELL := /bin/bash
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed-$(shell sha1sum pyproject.toml | cut -c1-12)
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: install system-packages messages run test test-long fuzz test-cluster oracle-million lint check bench bench-opensearch bench-load clean

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

# `make run SEARCH=opensearch` also starts an OpenSearch node, rebuilds the index on it and
# serves with it; the default searches in PostgreSQL.
SEARCH ?= postgres
ifeq ($(SEARCH),opensearch)
SEARCH_ENV = PORTAL_SEARCH_BACKEND=opensearch PORTAL_SEARCH_URL=$$(cat var/opensearch/url)
SEARCH_STOP = scripts/opensearch.sh stop
else ifeq ($(SEARCH),postgres)
SEARCH_ENV =
SEARCH_STOP = true
else
$(error SEARCH must be postgres or opensearch)
endif

# Links in e-mails name the address being served, unless PORTAL_BASE_URL says otherwise.
run: export PORTAL_BASE_URL ?= http://$(HOST):$(PORT)
run: install
	@if [ "$(SEARCH)" = opensearch ]; then scripts/opensearch.sh start; fi
	$(PY) manage.py migrate --no-input -v 0
	$(PY) manage.py createcachetable
	$(PY) manage.py seed_demo
	@echo "Extracting and indexing the demo documents..."
	$(SEARCH_ENV) $(PY) manage.py db_worker --queue-name '*' --batch --no-startup-delay -v 0
	@if [ "$(SEARCH)" = opensearch ]; then $(SEARCH_ENV) $(PY) manage.py rebuild_index; fi
	$(SEARCH_ENV) $(PY) manage.py search_status
	@echo ""
	@echo "The portal runs at http://$(HOST):$(PORT)/  (Ctrl-C stops it, the task worker, the scheduler and the embedded database)"
	@$(SEARCH_ENV) ALSO_STOP="$(SEARCH_STOP)" PY=$(PY) HOST=$(HOST) PORT=$(PORT) exec bash scripts/serve.sh

lint: $(STAMP)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

check: $(STAMP)
	$(PY) manage.py check --fail-level WARNING
	$(PY) manage.py makemigrations --check --dry-run -v 1
	bash scripts/check-deploy.sh

# The search-engine tests run against a real OpenSearch node, started from Maven Central's
# artifacts by scripts/opensearch.sh; if it cannot start, the run fails. Only a person may
# switch those tests off: PORTAL_SKIP_ENGINE_TESTS=1 make test (the summary then says so).
# pytest-xdist runs the suite in TEST_WORKERS processes (one per core here; 0 runs it in this
# one), each with its own test database on the shared embedded server. --dist load hands each
# process its tests in the collection order, which keeps pytest-django's order (no test in a
# transaction after a transactional test's flush) and the browser tests last in every process.
TEST_WORKERS ?= 2
test: install lint check
	@if [ -z "$$PORTAL_SKIP_ENGINE_TESTS" ]; then scripts/opensearch.sh start; fi
	@status=0; $(VENV)/bin/pytest -n $(TEST_WORKERS) --dist load || status=$$?; scripts/opensearch.sh stop; exit $$status

# Not in `make test` (about 2.5 minutes more): three OpenSearch nodes of its own in
# var/opensearch-cluster (HTTP from port 9401), the cluster manager killed under search load.
# The test starts and stops the cluster itself.
test-cluster: install
	$(VENV)/bin/pytest -m cluster

# The isolation oracle's policy layer over ORACLE_WORLDS generated worlds (a million by default),
# in ORACLE_PROCS pytest processes, each with its own test database and its own worlds; each
# prints its worlds, cases and cases per second (a case: one person x dossier x level x instant),
# and the last line adds them up (cases per second over the slowest process's time).
ORACLE_WORLDS ?= 1000000
ORACLE_PROCS ?= 2
oracle-million: install
	@mkdir -p var; rm -f var/oracle-shard-*.log; pids=""; for shard in $$(seq 1 $(ORACLE_PROCS)); do \
	  ORACLE_SHARD=$$shard ORACLE_SHARDS=$(ORACLE_PROCS) ORACLE_WORLDS=$(ORACLE_WORLDS) \
	    $(VENV)/bin/pytest -q -s -p no:cacheprovider -m million tests/oracle/test_policy_oracle.py \
	    > >(tee var/oracle-shard-$$shard.log) 2>&1 & pids="$$pids $$!"; \
	done; status=0; for pid in $$pids; do wait $$pid || status=1; done; \
	cat var/oracle-shard-*.log | awk '/^oracle shard/ { w += $$4; c += $$6; if ($$9 > s) s = $$9; n++ } \
	  END { if (n) printf "oracle: %d processes, %d worlds, %d cases in %d s: %d cases/s\n", n, w, c, s, c / s }'; \
	exit $$status

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
	cd bench && ../$(PY) zip_memory.py
	cd bench && ../$(PY) search.py
	cd bench && ../$(PY) api.py

# The search benchmark on a real OpenSearch node, which it starts (2 GB heap, base port
# $OPENSEARCH_BASE_PORT or 9600) and stops: about 20 minutes for 1,000,000 documents on 2 cores.
bench-opensearch: install
	cd bench && ../$(PY) search.py --backend opensearch

# Load on the production configuration (gunicorn, task worker, scheduler on 127.0.0.1, its own
# database bench_load): 50 people of 5 organisations for 5 minutes, one rebuild_index half-way;
# figures printed and written to var/bench/load.json. Options: make bench-load LOAD_ARGS="--minutes 1".
bench-load: install
	$(PY) bench/load.py $(LOAD_ARGS)

clean:
	rm -rf $(VENV) var
