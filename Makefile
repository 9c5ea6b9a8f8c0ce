# Thin wrappers: the work is in scripts/.
.PHONY: demo test test-fast test-odoo lint bench stop

demo:  ## Fresh database with the Chilean demo, Odoo on http://localhost:8069
	scripts/demo.sh

test:  ## Fresh test database, every test through pytest-odoo, pytest's summary line at the end
	scripts/test.sh

test-fast:  ## The plain-Python tests of services/ with pytest, no database (seconds)
	scripts/test_fast.sh

test-odoo:  ## The same tests through Odoo's own runner (--test-enable), "N passed, N failed"
	scripts/test_odoo.sh

lint:  ## ruff, ruff format and pylint-odoo (OCA 18.0 mandatory checks)
	scripts/lint.sh

bench:  ## Benchmarks on a real database (see bench/README.md)
	scripts/bench.sh

stop:  ## Stop the private PostgreSQL cluster
	scripts/stop.sh
