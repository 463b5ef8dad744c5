# kohoshi — `make demo` and `make test` on a fresh Debian 12 machine (run as root, or with sudo).
# Debian's own Python where there is one: it is built with profile-guided and link-time
# optimisation, and ran the article page 7-15 % faster under load than an interpreter built
# without them (pyenv's default) on the same machine (docs/serving.md). On a fresh Debian 12
# machine it is the `python3` on PATH anyway.
PYTHON ?= $(shell test -x /usr/bin/python3 && echo /usr/bin/python3 || echo python3)
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8000
SHARED ?= ../shared
# Debian packages: the browser and fonts for browser tests and screenshots (IPAex for Japanese,
# Noto CJK for the Chinese and Korean interface and translated pages, DejaVu for Vietnamese;
# libatomic1 for the Node.js that Playwright's Python package runs), Tesseract for scanned PDFs, gettext for
# messages, postgresql-client (pg_dump/pg_restore for `kohoshi backup` on PostgreSQL); LibreOffice
# (the second PDF producer) only for `make bench`; nginx for deploy/nginx and its test
# (kohoshi/core/tests/test_nginx.py runs it on loopback); wrk for bench/web.
APT_PACKAGES := chromium libatomic1 ffmpeg fonts-ipaexfont fonts-noto-cjk fonts-dejavu-core tesseract-ocr tesseract-ocr-jpn tesseract-ocr-jpn-vert gettext postgresql-client nginx
BENCH_APT_PACKAGES := libreoffice-writer-nogui libreoffice-impress-nogui libreoffice-draw-nogui wrk
PG_URL_DEFAULT := postgres://postgres@127.0.0.1:5432/test

.PHONY: install system-deps demo serve test test-sqlite test-postgres test-fast bench bench-web clean

install: system-deps $(VENV)/.installed

system-deps:
	@missing=""; for p in $(APT_PACKAGES) $(EXTRA_APT_PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
	  echo "Installing Debian packages:$$missing"; \
	  SUDO=""; [ "$$(id -u)" = 0 ] || SUDO=sudo; \
	  $$SUDO apt-get -o DPkg::Lock::Timeout=900 update -q && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get -o DPkg::Lock::Timeout=900 install -y -q --no-install-recommends $$missing; \
	fi

$(VENV)/.installed: pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -e '.[test,translation]'
	touch $@

demo: install
	$(BIN)/kohoshi migrate --no-input
	$(BIN)/kohoshi collectstatic --no-input -v0
	PORT=$(PORT) $(BIN)/kohoshi load_demo --shared $(SHARED)
	PORT=$(PORT) $(BIN)/kohoshi serve --port $(PORT)

serve: install
	PORT=$(PORT) $(BIN)/kohoshi serve --port $(PORT)

# The suite runs on SQLite, then again on PostgreSQL (DATABASE_URL, else 127.0.0.1:5432).
test: install
	$(MAKE) --no-print-directory test-sqlite
	$(MAKE) --no-print-directory test-postgres

test-sqlite:
	@echo "=== kohoshi tests on SQLite ==="
	env -u DATABASE_URL $(BIN)/pytest $(PYTEST_ARGS)

test-postgres:
	@url="$${DATABASE_URL:-$(PG_URL_DEFAULT)}"; \
	if $(BIN)/python -c "import sys, psycopg; psycopg.connect(sys.argv[1], connect_timeout=3).close()" "$$url" 2>/dev/null; then \
	  echo "=== kohoshi tests on PostgreSQL ($$url) ==="; \
	  DATABASE_URL="$$url" $(BIN)/pytest $(PYTEST_ARGS); \
	else \
	  echo "!!! ================================================================== !!!"; \
	  echo "!!! SKIPPING the PostgreSQL run: no server answers at $$url"; \
	  echo "!!! set DATABASE_URL to a PostgreSQL server to run the suite there too."; \
	  echo "!!! ================================================================== !!!"; \
	fi

test-fast: install
	KOHOSHI_FAST=1 env -u DATABASE_URL $(BIN)/pytest -x $(PYTEST_ARGS)

# Benchmarks write their tables into docs/benchmarks.md (see each script's --help).
bench:
	$(MAKE) --no-print-directory install EXTRA_APT_PACKAGES="$(BENCH_APT_PACKAGES)"
	$(BIN)/python bench/imports/run.py
	$(BIN)/python -m bench.search.run --size 100000
	$(BIN)/python bench/ingest/run.py

# Issue 13: kohoshi deployed (nginx + serve + cache) and uncached beside Wagtail and nginx static.
bench-web:
	$(MAKE) --no-print-directory install EXTRA_APT_PACKAGES="wrk"
	$(BIN)/pip install -q -e '.[bench]'
	$(BIN)/python -m bench.web.servers --shared $(SHARED)
	$(BIN)/python -m bench.web.run --shared $(SHARED)

clean:
	rm -rf $(VENV) var test-artifacts bench/out
