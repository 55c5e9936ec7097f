# The two commands of the README. Both set up everything they need first.
.PHONY: run test lint bundle clean

run:            ## set up, then start the desktop app on the starter model
	bash scripts/setup.sh run
	.venv/bin/autoglm

test:           ## set up (with test tools), then lint, type-check and run the whole test suite
	bash scripts/setup.sh test
	bash scripts/run-tests.sh

lint:
	.venv/bin/ruff check app tests
	.venv/bin/ruff format --check app tests packaging
	.venv/bin/mypy
	.venv/bin/lint-imports

bundle:         ## build the Linux bundle into dist/
	bash scripts/setup.sh test
	.venv/bin/python packaging/build.py

clean:
	rm -rf build dist .pytest_cache .ruff_cache
