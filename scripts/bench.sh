#!/usr/bin/env bash
# Benchmarks on a real database: each bench/bench_*.py runs in an Odoo shell (with `env`)
# against the database 'cobranza_bench' (module installed, no demo), created when missing.
# BENCH=<name> runs one of them. Results are printed; see bench/README.md for the last figures.
source "$(dirname "$0")/lib.sh"

DB="${COBRANZA_BENCH_DB:-cobranza_bench}"
find_odoo
mkdir -p "$BUILD_DIR"
pg_start
if ! psql_cmd -d "$DB" -c "select 1 from ir_module_module where name='cobranza_telefonica' and state='installed'" 2>/dev/null | grep -q 1; then
    drop_db "$DB"
    info "Creating benchmark database '$DB'"
    odoo_cmd -d "$DB" -i cobranza_telefonica --without-demo=all --stop-after-init --log-level=warn
fi
for bench in "$REPO_ROOT"/bench/bench_*.py; do
    [ -e "$bench" ] || continue
    name="$(basename "$bench" .py)"
    [ -n "${BENCH:-}" ] && [ "$name" != "bench_${BENCH#bench_}" ] && continue
    info "Running $name"
    # "shell" must come before the options odoo_cmd puts first.
    TZ=UTC "$PYTHON" -m odoo shell --addons-path="$ADDONS_PATH" \
        --db_host="$PGSOCK_DIR" --db_port="$PG_PORT" --db_user="$PG_DBUSER" --db_password=odoo \
        --data-dir="$BUILD_DIR/filestore" -d "$DB" --no-http --log-level=warn <"$bench"
done
