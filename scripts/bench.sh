#!/usr/bin/env bash
# Benchmarks on a real database: each bench/bench_*.py runs in an Odoo shell (with `env`)
# against the database 'cobranza_bench' (module installed, no demo), created when missing.
# BENCH=<name> runs one of them. Results are printed; see bench/README.md for the last figures.
# Every line a benchmark prints as "TARGET | what | measured | target | met?" is gathered
# at the end into one table (the figures of the performance issue beside their targets).
source "$(dirname "$0")/lib.sh"

DB="${COBRANZA_BENCH_DB:-cobranza_bench}"
# The same Chilean chart without the module: what the module costs (bench_overhead).
BASE_DB="${COBRANZA_BENCH_BASE_DB:-${DB}_base}"
# OCA's account_credit_control 18.0, the daily run's yardstick (bench_followup): installed from
# its wheel into the build folder, beside the module in the benchmark database only.
OCA_DIR="$BUILD_DIR/bench-addons"
OCA_REQUIREMENT="odoo-addon-account-credit-control>=18.0,<18.1"
find_odoo
mkdir -p "$BUILD_DIR"
pg_start

if [ ! -d "$OCA_DIR/odoo/addons/account_credit_control" ]; then
    info "Installing OCA's account_credit_control 18.0 into $OCA_DIR (benchmarks only)"
    "$PYTHON" -m pip install --quiet --no-deps --target "$OCA_DIR" "$OCA_REQUIREMENT" \
        || die "Could not install $OCA_REQUIREMENT from the package index (bench_followup compares with it)."
fi
ADDONS_PATH="$ADDONS_PATH,$OCA_DIR/odoo/addons"

installed() {
    # installed <database> <module>: is the module installed there?
    psql_cmd -d "$1" -Atc "select 1 from ir_module_module where name='$2' and state='installed'" 2>/dev/null | grep -q 1
}

if ! installed "$DB" cobranza_telefonica; then
    drop_db "$DB"
    info "Creating benchmark database '$DB'"
    odoo_cmd -d "$DB" -i cobranza_telefonica --without-demo=all --stop-after-init --log-level=warn
fi
# The module updated in the benchmark database when its files changed since the last update.
MODULE_STAMP="$BUILD_DIR/bench-module-$DB.stamp"
module_hash="$(cd "$REPO_ROOT" && find cobranza_telefonica -type f ! -name '*.pyc' -print0 | sort -z | xargs -0 sha1sum | sha1sum | cut -d' ' -f1)"
if [ "$(cat "$MODULE_STAMP" 2>/dev/null)" != "$module_hash" ]; then
    info "Updating cobranza_telefonica in '$DB' (its files changed)"
    odoo_cmd -d "$DB" -u cobranza_telefonica --stop-after-init --log-level=warn
    echo "$module_hash" >"$MODULE_STAMP"
fi
if ! installed "$DB" account_credit_control; then
    info "Installing account_credit_control in '$DB'"
    odoo_cmd -d "$DB" -i account_credit_control --without-demo=all --stop-after-init --log-level=warn
fi
if ! installed "$BASE_DB" l10n_cl; then
    drop_db "$BASE_DB"
    info "Creating benchmark database '$BASE_DB' (l10n_cl, without the module)"
    odoo_cmd -d "$BASE_DB" -i l10n_cl --without-demo=all --stop-after-init --log-level=warn
fi

LOG="$BUILD_DIR/bench.log"
: >"$LOG"
for bench in "$REPO_ROOT"/bench/bench_*.py; do
    [ -e "$bench" ] || continue
    name="$(basename "$bench" .py)"
    [ -n "${BENCH:-}" ] && [ "$name" != "bench_${BENCH#bench_}" ] && continue
    info "Running $name" | tee -a "$LOG"
    # "shell" must come before the options odoo_cmd puts first; bench/ is importable (benchlib).
    TZ=UTC COBRANZA_BENCH_BASE_DB="$BASE_DB" PYTHONPATH="$REPO_ROOT/bench:$PYTHONPATH" \
        "$PYTHON" -m odoo shell --addons-path="$ADDONS_PATH" \
        --db_host="$PGSOCK_DIR" --db_port="$PG_PORT" --db_user="$PG_DBUSER" --db_password=odoo \
        --data-dir="$BUILD_DIR/filestore" -d "$DB" --no-http --log-level=warn <"$bench" 2>&1 | tee -a "$LOG"
done

echo
info "Figures and targets ($(date -u '+%Y-%m-%d %H:%M UTC'), load $(cut -d' ' -f1-3 /proc/loadavg), $(nproc) cores)"
grep -h '^TARGET |' "$LOG" | sed 's/^TARGET //' | column -t -s '|' -o '|' || echo "    (no figure with a target in this run)"
