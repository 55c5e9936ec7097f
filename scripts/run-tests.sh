#!/usr/bin/env bash
# Lint, type-check, check the layering contracts, then run every test (unit, GUI, integration, slow).
set -euo pipefail
cd "$(dirname "$0")/.."
export PYTHONUNBUFFERED=1
.venv/bin/ruff check app tests
.venv/bin/mypy
.venv/bin/lint-imports
exec .venv/bin/python -m pytest "$@"
