#!/usr/bin/env bash
# Lint like OCA 18.0: `pre-commit run --all-files` with the hooks of .pre-commit-config.yaml (ruff,
# ruff format, pylint-odoo's mandatory checks, README.rst up to date). pre-commit itself is installed
# in a virtual environment under the build folder; the hooks' tools in its cache there.
source "$(dirname "$0")/lib.sh"

LINT_VENV="$BUILD_DIR/lint-venv"
REQS="$REPO_ROOT/scripts/lint-requirements.txt"
mkdir -p "$BUILD_DIR"
if [ ! -x "$LINT_VENV/bin/pre-commit" ] || ! cmp -s "$REQS" "$LINT_VENV/requirements.txt"; then
    info "Installing pre-commit in $LINT_VENV"
    "$PYTHON" -m venv "$LINT_VENV"
    "$LINT_VENV/bin/pip" install --quiet --disable-pip-version-check -r "$REQS"
    cp "$REQS" "$LINT_VENV/requirements.txt"
fi
cd "$REPO_ROOT"
git rev-parse --git-dir >/dev/null 2>&1 || die "make lint needs a git checkout: pre-commit lints the files git tracks."
export PRE_COMMIT_HOME="$BUILD_DIR/pre-commit"
info "pre-commit run --all-files (the hooks' tools are installed once in $PRE_COMMIT_HOME)"
if "$LINT_VENV/bin/pre-commit" run --all-files --color=never; then
    info "lint: clean"
else
    echo "lint: FAILED (see above)" >&2
    exit 1
fi
