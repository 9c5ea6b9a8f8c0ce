#!/usr/bin/env bash
# Command 2: a fresh test database, the module installed with its tests, the whole suite run.
# Ends with "N passed, N failed" computed from Odoo's own test report; exits non-zero on any
# failure, on any error logged, or when Odoo, PostgreSQL or Chromium is missing.
source "$(dirname "$0")/lib.sh"

DB="${COBRANZA_TEST_DB:-cobranza_test}"
# Besides the module's own tests, two of Odoo's account classes (MailCommon-based, ~20 s) that a
# demo moving the administrator breaks. test_resequence_change_payment_name is left out: it
# hard-codes 2025 and fails from 2026 without this module too (fixed upstream, odoo/odoo#222220).
# They run on a fresh install only: with COBRANZA_TEST_UPDATE=1 Odoo runs the updated module's.
DEFAULT_TEST_TAGS="/cobranza_telefonica,/account:TestAccountPayment,/account:TestTracking"
DEFAULT_TEST_TAGS+=",-/account:TestAccountPayment.test_resequence_change_payment_name"
TEST_TAGS="${TEST_TAGS:-$DEFAULT_TEST_TAGS}"
LOG="$BUILD_DIR/test.log"

find_odoo
mkdir -p "$BUILD_DIR"
ensure_chromium
ensure_wkhtmltopdf
pg_start

test_database_mode "$DB" "with its demo data, tests: $TEST_TAGS"
set +e
odoo_cmd -d "$DB" "${MODE[@]}" --test-enable --test-tags="$TEST_TAGS" \
    --stop-after-init --http-port="${COBRANZA_TEST_HTTP_PORT:-18069}" --workers=0 \
    --max-cron-threads=0 --log-level=test --without-demo= 2>&1 | tee "$LOG"
rc=${PIPESTATUS[0]}
set -e

exec "$PYTHON" "$REPO_ROOT/scripts/test_summary.py" "$LOG" "$rc"
