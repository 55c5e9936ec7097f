#!/usr/bin/env bash
# Lint, check the formatting, type-check, check the layering contracts, then run every test (unit, GUI, integration, slow).
set -euo pipefail
cd "$(dirname "$0")/.."
export PYTHONUNBUFFERED=1
.venv/bin/ruff check app tests
.venv/bin/ruff format --check app tests packaging
.venv/bin/mypy
.venv/bin/lint-imports
exec .venv/bin/python -m pytest "$@"
