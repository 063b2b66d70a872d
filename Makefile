# The two commands of the README are `make demo` and `make test`; the rest are for developers.
SHELL := /bin/bash
export UV_PYTHON_DOWNLOADS := never

.PHONY: demo test install install-dev check fast-test lint format messages clean

demo: install  ## install, load the demo province into ./var and serve http://127.0.0.1:8000
	uv run --frozen --no-dev canhgac demo

test: install-dev  ## install everything and run every check and test (as CI does)
	bash scripts/test.sh

install:
	bash scripts/install.sh demo

install-dev:
	bash scripts/install.sh test

fast-test:  ## the suite on SQLite only, without browser tests
	DJANGO_SETTINGS_MODULE=config.settings.test uv run --frozen pytest -n 2 -m "not browser and not integration"

lint:
	uv run --frozen ruff check . && uv run --frozen ruff format --check . && uv run --frozen lint-imports && uv run --frozen mypy

format:
	uv run --frozen ruff format . && uv run --frozen ruff check --fix .

messages:  ## refresh the .po catalogs from the code (needs gettext)
	uv run --frozen python manage.py makemessages -l vi -l en --no-location --no-obsolete -i node_modules -i .venv

clean:
	rm -rf var .pytest_cache .mypy_cache .ruff_cache
