# PRM: the README's two commands are `make run` and `make test`.
# Use this machine's Python 3.11; never download an interpreter.
export UV_PYTHON_DOWNLOADS := never
UV ?= $(shell command -v uv 2>/dev/null || echo "python3 -m uv")
PORT ?= 8000
.DEFAULT_GOAL := run
.PHONY: bootstrap run test lint e2e prodlike bench-seed clean drills load messages compilemessages
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

messages: bootstrap ## update locale/<lang>/LC_MESSAGES/django.po from the marked strings (then translate)
	$(UV) run python manage.py makemessages $(foreach l,$(LANGS),-l $(l)) $(MESSAGES_ARGS)

compilemessages: bootstrap ## the .mo files (not committed) from the committed .po catalogues
	$(UV) run python manage.py compilemessages --ignore=.venv --ignore=node_modules

clean: ## forget the embedded database, broker folders and schedule
	rm -rf var/
