#!/usr/bin/env bash
# The plain-Python tests of cobranza_telefonica/services/ with pytest: no database, no server, in
# seconds. The services need Odoo's package on the path (float_utils, BaseCase), not its ORM.
source "$(dirname "$0")/lib.sh"

find_odoo
cd "$REPO_ROOT"
export PYTHONPATH="$REPO_ROOT/scripts:$PYTHONPATH"
# shellcheck disable=SC2086  # PYTEST_ARGS holds several options
exec "$PYTHON" -m pytest -p no:odoo -p pytest_services -o cache_dir="$BUILD_DIR/pytest-cache" -q \
    ${PYTEST_ARGS:-} cobranza_telefonica/tests/test_*services.py
