#!/usr/bin/env bash
# Lint like OCA 18.0: ruff (check + format) and pylint-odoo's mandatory checks. The tools are
# installed from PyPI in a virtual environment under the build folder, pinned in lint-requirements.txt.
source "$(dirname "$0")/lib.sh"

VENV="$BUILD_DIR/lint-venv"
REQS="$REPO_ROOT/scripts/lint-requirements.txt"
mkdir -p "$BUILD_DIR"
if [ ! -x "$VENV/bin/pylint" ] || ! cmp -s "$REQS" "$VENV/requirements.txt"; then
    info "Installing lint tools in $VENV"
    "$PYTHON" -m venv "$VENV"
    "$VENV/bin/pip" install --quiet --disable-pip-version-check -r "$REQS"
    cp "$REQS" "$VENV/requirements.txt"
fi
cd "$REPO_ROOT"
status=0
info "ruff check"
"$VENV/bin/ruff" check . || status=1
info "ruff format --check"
"$VENV/bin/ruff" format --check . || status=1
info "pylint-odoo (mandatory checks)"
"$VENV/bin/pylint" --rcfile=.pylintrc-mandatory cobranza_telefonica || status=1
[ "$status" = 0 ] && info "lint: clean"
exit "$status"
