# PRM: the README's two commands are `make run` and `make test`.
# Use this machine's Python 3.11; never download an interpreter.
export UV_PYTHON_DOWNLOADS := never
UV ?= $(shell command -v uv 2>/dev/null || echo "python3 -m uv")
PORT ?= 8000
.DEFAULT_GOAL := run
.PHONY: bootstrap run test lint e2e prodlike bench-seed clean drills load messages compilemessages \
	bench bench-rollups bench-ingestion bench-dashboards bench-load bench-growth
# The message catalogues (docs/translations.md); tests/i18n/test_catalogues.py runs the same options.
LANGS := de fr es pt_BR ja
MESSAGES_ARGS := --no-location --no-obsolete --ignore=.venv --ignore=tests --ignore=bench --ignore=node_modules --ignore=var --ignore=static --ignore=test-results

bootstrap: ## uv itself, then the locked virtualenv in .venv
	@command -v uv >/dev/null 2>&1 || python3 -m uv --version >/dev/null 2>&1 || python3 -m pip install --quiet --user "uv>=0.13,<0.14"
	$(UV) sync --locked --quiet

run: bootstrap compilemessages ## the app with demo data, a Celery worker and its schedule, on the embedded default
	$(UV) run python manage.py migrate --noinput
	$(UV) run python manage.py createcachetable
	$(UV) run python manage.py seed_demo
	@echo "PRM is starting on http://127.0.0.1:$(PORT)/ (web + worker + beat; Ctrl-C stops all)"
	PORT=$(PORT) $(UV) run honcho -f Procfile.dev start

test: bootstrap compilemessages ## the whole test suite (Postgres and Redis when DATABASE_URL / REDIS_URL are set)
	$(UV) run pytest -n 2

lint: bootstrap ## ruff, import contracts (docs/architecture.md), migrations, deploy checks, compose file
	$(UV) run ruff check .
	$(UV) run ruff format --check .
	$(UV) run lint-imports --no-cache
	$(UV) run python manage.py makemigrations --check --dry-run
	$(UV) run python manage.py spectacular --validate --fail-on-warn --file /dev/null
	$(UV) run check-jsonschema --builtin-schema vendor.compose-spec docker-compose.yml
	$(UV) run bandit -c pyproject.toml -r . -q

prodlike: bootstrap ## Postgres + Redis from DATABASE_URL / REDIS_URL, gunicorn, separate worker and beat
	DJANGO_SETTINGS_MODULE=prm.settings.production $(UV) run python manage.py migrate --noinput
	DJANGO_SETTINGS_MODULE=prm.settings.production $(UV) run python manage.py collectstatic --noinput
	$(UV) run honcho -f Procfile start

drills: bootstrap ## fault drills on real services (own DB prm_drills, own redis-server on 6390, own Postgres cluster on 5440); not in `make test`
	$(UV) run python bench/drills/run.py --kill child
	$(UV) run python bench/drills/run.py --kill worker --reuse
	$(UV) run python bench/drills/redis_down.py
	$(UV) run python bench/drills/pg_restart.py

load: bootstrap ## 50-user load test on its own DB prm_load + Redis db 5: gunicorn, Celery, locust (~20 min with the data; LOAD_ARGS=--reuse to keep it)
	$(UV) run python bench/load/run.py $(LOAD_ARGS)

# Benchmarks (docs/scaling.md "Benchmark settings"): each on its own Postgres cluster in
# BENCH_CLUSTER, initdb'd once with PERFORMANCE.md section 1's settings and started on a free
# port (bench/pgserver.py); BENCH_LOCK=/work/bench.lock runs each under flock on a shared box.
BENCH_CLUSTER ?= $(CURDIR)/var/pgbench
BENCH_LOCK ?=
BENCH_RUN = $(if $(BENCH_LOCK),flock $(BENCH_LOCK) )$(UV) run python
DASH_DB := prm_dash_bench

bench: bench-rollups bench-ingestion ## the rollup/score rows and the ingestion row of issue 24's table (~10 min)

bench-rollups: bootstrap ## raw GROUP BY floor, table GROUP BYs, full recompute vs write floor, score rebuild, incremental rollup, score refresh
	$(BENCH_RUN) bench/rollups.py --events 1000000 --partners 10000 --cluster $(BENCH_CLUSTER)

bench-ingestion: bootstrap ## POST /api/v1/events/ vs COPY of the same rows
	$(BENCH_RUN) bench/ingestion.py --events 100000 --clients 4 --cluster $(BENCH_CLUSTER)

bench-dashboards: bootstrap ## dashboard cold build, 10k partners / 10M events (data set built once into $(DASH_DB), ~40 min)
	@set -e; eval "$$($(UV) run python bench/pgserver.py --cluster $(BENCH_CLUSTER) start --db $(DASH_DB))"; \
	export DATABASE_URL; trap '$(UV) run python bench/pgserver.py --cluster $(BENCH_CLUSTER) stop' EXIT; \
	if [ -z "$$(psql "$${DATABASE_URL%/*}/postgres" -Atc "SELECT 1 FROM pg_database WHERE datname = '$(DASH_DB)'")" ]; then \
	  psql "$${DATABASE_URL%/*}/postgres" -qc 'CREATE DATABASE $(DASH_DB)'; \
	  $(UV) run python manage.py migrate --noinput -v0; \
	  $(UV) run python manage.py createcachetable; \
	  $(UV) run python manage.py seed_demo --partners 10000 --events 0 --now 2026-11-25 >/dev/null; \
	  $(BENCH_RUN) bench/dashboards.py --prepare --events 10000000; \
	fi; \
	$(BENCH_RUN) bench/dashboards.py --requests 20

bench-load: bootstrap ## 50-user load test, all pages but login, on the benchmark cluster (LOAD_ARGS=--reuse to keep the data set)
	$(UV) run python bench/load/run.py --cluster $(BENCH_CLUSTER) $(LOAD_ARGS)

bench-growth: bootstrap ## growth of the rollup figures, 1M/10k -> 10M/10k -> 10M/50k (GROWTH_ARGS=--quick for small sizes)
	$(UV) run python bench/growth.py --cluster $(BENCH_CLUSTER) $(if $(BENCH_LOCK),--lock $(BENCH_LOCK)) $(GROWTH_ARGS)

messages: bootstrap ## update locale/<lang>/LC_MESSAGES/django.po from the marked strings (then translate)
	$(UV) run python manage.py makemessages $(foreach l,$(LANGS),-l $(l)) $(MESSAGES_ARGS)

compilemessages: bootstrap ## the .mo files (not committed) from the committed .po catalogues
	$(UV) run python manage.py compilemessages --ignore=.venv --ignore=node_modules

clean: ## forget the embedded database, broker folders and schedule
	rm -rf var/
