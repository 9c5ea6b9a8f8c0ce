# Thin wrappers: the work is in scripts/.
.PHONY: demo test lint bench stop

demo:  ## Fresh database with the Chilean demo, Odoo on http://localhost:8069
	scripts/demo.sh

test:  ## Fresh test database, every test, "N passed, N failed" at the end
	scripts/test.sh

lint:  ## ruff, ruff format and pylint-odoo (OCA 18.0 mandatory checks)
	scripts/lint.sh

bench:  ## Benchmarks on a real database (see bench/README.md)
	scripts/bench.sh

stop:  ## Stop the private PostgreSQL cluster
	scripts/stop.sh
