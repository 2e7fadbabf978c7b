# Orderline — the two commands: `make demo` and `make test`.
SHELL := /bin/bash
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
PY := $(VENV)/bin/python
export DJANGO_SETTINGS_MODULE ?= config.settings.dev

.PHONY: demo test install services migrate messages chromium bench run clean help

help:
	@echo "make demo   install, start PostgreSQL/Redis, migrate, load demo data, run web + worker + beat"
	@echo "make test   install what the tests need and run the whole suite (browser tests included)"
	@echo "make bench  benchmarks: provisioning, customers, catalog search and import, checkout throughput (with and without the ledger), a ledger of 10,000 entries, list pages at 100,000 orders, migrate_all at 1,000 tenants, Stripe webhooks and reconciliation, the platform metrics task at 200 tenants"

$(VENV)/.installed: requirements.lock
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -r requirements.lock
	@touch $@

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	@touch $@

messages: $(VENV)/.installed
	@command -v msgfmt >/dev/null || { command -v apt-get >/dev/null && [ "$$(id -u)" = 0 ] && apt-get install -y -qq gettext >/dev/null; } || { echo "msgfmt (gettext) is needed: apt-get install gettext"; exit 1; }
	$(PY) manage.py compilemessages --ignore=.venv --ignore=node_modules -v 0

install: $(VENV)/.installed node_modules/.installed messages

services: $(VENV)/.installed
	@mkdir -p .data
	$(PY) scripts/services.py

migrate: install services
	$(PY) manage.py migrate_all

# Chromium, and a CJK font: without one, Chinese pages are drawn as empty boxes and the
# phone-width tests measure the wrong widths.
chromium:
	@{ command -v chromium >/dev/null && fc-list :lang=zh 2>/dev/null | grep -q .; } || { \
	  if command -v apt-get >/dev/null && [ "$$(id -u)" = 0 ]; then \
	    echo "Installing Debian's chromium and a CJK font for the browser tests"; \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium fonts-wqy-microhei >/dev/null; \
	  fi; }
	@command -v chromium >/dev/null || { echo "ERROR: the browser tests need Debian's chromium (apt-get install chromium)."; exit 1; }
	@fc-list :lang=zh 2>/dev/null | grep -q . || { echo "ERROR: the browser tests need a CJK font (apt-get install fonts-wqy-microhei)."; exit 1; }

demo: migrate
	$(PY) manage.py demo
	$(PY) manage.py tenant_pool
	@if grep -q '^REDIS_URL=' .env 2>/dev/null || [ -n "$$REDIS_URL" ]; then \
	  $(VENV)/bin/honcho start; \
	else \
	  echo "No Redis: running the web process only (tasks run inline)"; \
	  $(VENV)/bin/honcho start web; \
	fi

# One test database per pytest-xdist worker (test_orderline_gw0, _gw1 …); PYTEST_WORKERS=0
# runs in one process. Modules marked xdist_group run whole on one worker.
PYTEST_WORKERS ?= auto
test: install services chromium
	DJANGO_SETTINGS_MODULE=config.settings.test $(PY) -m pytest -n $(PYTEST_WORKERS) --dist loadgroup $(PYTEST_ARGS)

bench: migrate
	$(PY) -m bench.provision --rounds 5
	$(PY) -m bench.customers --customers 2000
	$(PY) -m bench.catalog_search --variants 10000
	$(PY) -m bench.catalog_import --rows 10000
	$(PY) -m bench.checkout --dealers 16 --seconds 20 --finance both
	$(PY) -m bench.finance_ledger --entries 10000
	$(PY) -m bench.order_lists --orders 100000
	$(PY) -m bench.migrate_all --tenants 1000
	$(PY) -m bench.migrate_all --cleanup
	$(PY) -m bench.billing_webhooks --events 1000 --reconcile 200
	$(PY) -m bench.tenant_export --tenant acme
	$(PY) -m bench.ops_metrics --tenants 200
	$(PY) -m bench.ops_metrics --cleanup

clean:
	rm -rf $(VENV) node_modules staticfiles .data .env
