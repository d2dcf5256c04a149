# xietong — the two commands a new user needs are `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
POSTGRES_URL ?= postgres://postgres@127.0.0.1:5432/xietong
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: run test test-sqlite test-postgres bench lint venv browser assets messages worker clean

$(BIN)/.installed: requirements/base.txt requirements/dev.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -r requirements/dev.txt
	touch $@

venv: $(BIN)/.installed

# A development run: DEBUG=1 (DEBUG is off unless set), so runserver serves the static files.
run: venv
	DEBUG=1 $(BIN)/python manage.py migrate --noinput
	DEBUG=1 $(BIN)/python manage.py loaddemo
	@echo ""
	@echo "xietong is serving on http://$(HOST):$(PORT)/  (Ctrl-C stops it)"
	DEBUG=1 $(BIN)/python manage.py runserver $(HOST):$(PORT)

# The whole suite, on the embedded SQLite database and then on PostgreSQL.
test: test-sqlite test-postgres

test-sqlite: venv browser
	$(BIN)/python -m pytest -n 2

test-postgres: venv browser
	DATABASE_URL=$(POSTGRES_URL) $(BIN)/python -m pytest -n 2

# Browser tests drive Debian's chromium (never a downloaded browser) and need CJK fonts; the PDF of a
# bulletin is rendered by LibreOffice headless (libreoffice-writer-nogui).
browser:
	@command -v chromium >/dev/null && command -v soffice >/dev/null && fc-list :lang=zh | grep -q . || { \
	  if [ "$$(id -u)" = 0 ]; then \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium fonts-noto-cjk libreoffice-writer-nogui >/dev/null; \
	  else echo "Install Debian's chromium, fonts-noto-cjk and libreoffice-writer-nogui: sudo apt-get install chromium fonts-noto-cjk libreoffice-writer-nogui"; exit 1; fi; }

bench: venv
	@for f in bench/bench_*.py; do echo "== $$f"; $(BIN)/python $$f || exit 1; done

lint: venv
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

worker: venv
	$(BIN)/celery -A xietong worker --loglevel=info

# Refresh the vendored front-end libraries from the npm registry (versions in package.json).
assets:
	npm install --no-save --no-audit --no-fund
	cp node_modules/htmx.org/dist/htmx.min.js node_modules/echarts/dist/echarts.min.js xietong/static/vendor/

# Re-extract translatable strings of every app (needs GNU gettext).
messages: venv
	for app in core regions supervision meetings airquality water deliberation declarations; do \
	  (cd xietong/$$app && ../../$(BIN)/django-admin makemessages -l zh_Hans -l en --no-obsolete) ; done
	$(BIN)/python manage.py compilemessages

clean:
	rm -rf $(VENV) var staticfiles test-output
