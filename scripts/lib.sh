# shellcheck shell=bash
# Shared helpers for the project's commands: find Odoo, run a private PostgreSQL
# cluster under the build folder, install the system tools the commands need.
set -euo pipefail

REPO_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
BUILD_DIR="${BUILD_DIR:-$REPO_ROOT/.build}"
PGDATA_DIR="$BUILD_DIR/pgdata"
PGSOCK_DIR="$BUILD_DIR/pgsock"
# A port of its own per build folder, so two checkouts' clusters never share one.
PG_PORT="${COBRANZA_PG_PORT:-$((54000 + $(printf '%s' "$BUILD_DIR" | cksum | cut -d' ' -f1) % 1000))}"
PG_DBUSER="odoo"
PG_RUN_USER=""
PYTHON="${PYTHON:-python3}"

die() { echo "ERROR: $*" >&2; exit 1; }
info() { echo ">>> $*"; }

is_root() { [ "$(id -u)" = "0" ]; }

apt_install() {
    # apt_install <package>...: install Debian packages when running as root.
    is_root || return 1
    command -v apt-get >/dev/null 2>&1 || return 1
    info "Installing with apt-get: $*"
    if ! DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends "$@" >"$BUILD_DIR/apt.log" 2>&1; then
        DEBIAN_FRONTEND=noninteractive apt-get update >>"$BUILD_DIR/apt.log" 2>&1 || true
        DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends "$@" >>"$BUILD_DIR/apt.log" 2>&1
    fi
}

# --- Odoo -------------------------------------------------------------------
find_odoo() {
    # Sets ODOO_ROOT (the folder holding the `odoo` package) or stops loudly.
    if [ -n "${ODOO_SRC:-}" ]; then
        [ -d "$ODOO_SRC/odoo" ] || die "ODOO_SRC=$ODOO_SRC does not hold an Odoo source tree (no odoo/ folder)."
        ODOO_ROOT="$(cd "$ODOO_SRC" && pwd)"
        export PYTHONPATH="$ODOO_ROOT${PYTHONPATH:+:$PYTHONPATH}"
    fi
    if ! ODOO_ROOT="$("$PYTHON" -c 'import os, odoo; print(os.path.dirname(os.path.dirname(os.path.abspath(odoo.__file__))))' 2>/dev/null)"; then
        local why="ODOO_SRC is not set"
        [ -n "${ODOO_SRC:-}" ] && why="ODOO_SRC=$ODOO_SRC is set, but Odoo or its Python dependencies do not import"
        cat >&2 <<MSG
ERROR: Odoo 18.0 was not found.
  '$PYTHON -c "import odoo"' fails and $why.
  Install Odoo 18.0 Community so that 'import odoo' works, or point ODOO_SRC at its source tree:
      ODOO_SRC=/path/to/odoo-18.0 make test
  Nothing was run.
MSG
        exit 2
    fi
    local version
    version="$("$PYTHON" -c 'import odoo.release as r; print(r.version_info[0])' 2>/dev/null || true)"
    [ "$version" = "18" ] || die "Odoo at $ODOO_ROOT is version '$version', this module needs 18.0."
    ADDONS_PATH="$ODOO_ROOT/odoo/addons"
    [ -d "$ODOO_ROOT/addons" ] && ADDONS_PATH="$ODOO_ROOT/addons,$ADDONS_PATH"
    ADDONS_PATH="$ADDONS_PATH,$REPO_ROOT"
    export ODOO_ROOT ADDONS_PATH
}

odoo_cmd() {
    # odoo_cmd <odoo arguments>...: run Odoo against the private cluster.
    TZ=UTC "$PYTHON" -m odoo \
        --addons-path="$ADDONS_PATH" \
        --db_host="$PGSOCK_DIR" --db_port="$PG_PORT" --db_user="$PG_DBUSER" --db_password=odoo \
        --data-dir="$BUILD_DIR/filestore" \
        "$@"
}

# --- PostgreSQL -------------------------------------------------------------
find_pg_bin() {
    local dir
    for dir in /usr/lib/postgresql/15/bin /usr/lib/postgresql/*/bin; do
        if [ -x "$dir/initdb" ]; then PG_BIN="$dir"; return 0; fi
    done
    if command -v initdb >/dev/null 2>&1; then PG_BIN="$(dirname "$(command -v initdb)")"; return 0; fi
    return 1
}

ensure_pg_installed() {
    find_pg_bin && return 0
    if apt_install postgresql; then find_pg_bin && return 0; fi
    die "PostgreSQL server binaries (initdb, pg_ctl) are missing. Install Debian's 'postgresql' package (apt-get install postgresql), or run this command as root to let it do so."
}

as_pg_user() {
    if [ -n "$PG_RUN_USER" ]; then
        runuser -u "$PG_RUN_USER" -- "$@"
    else
        "$@"
    fi
}

pg_start() {
    # Create (once) and start the private cluster; reuse it when it already runs.
    mkdir -p "$BUILD_DIR"
    ensure_pg_installed
    if is_root; then
        # PostgreSQL refuses to run as root: the cluster belongs to an unprivileged user.
        PG_RUN_USER="${COBRANZA_PG_USER:-postgres}"
        if ! id "$PG_RUN_USER" >/dev/null 2>&1; then
            useradd --system --no-create-home --shell /usr/sbin/nologin "$PG_RUN_USER"
        fi
    fi
    mkdir -p "$PGDATA_DIR" "$PGSOCK_DIR"
    [ -n "$PG_RUN_USER" ] && chown "$PG_RUN_USER" "$PGDATA_DIR" "$PGSOCK_DIR"
    chmod 700 "$PGDATA_DIR"
    if [ ! -f "$PGDATA_DIR/PG_VERSION" ]; then
        info "Creating a private PostgreSQL cluster in $PGDATA_DIR"
        as_pg_user "$PG_BIN/initdb" -D "$PGDATA_DIR" -U "$PG_DBUSER" --auth=trust \
            --encoding=UTF8 --locale=C.UTF-8 >"$BUILD_DIR/initdb.log" 2>&1 \
            || { cat "$BUILD_DIR/initdb.log" >&2; die "initdb failed"; }
    fi
    if as_pg_user "$PG_BIN/pg_ctl" -D "$PGDATA_DIR" status >/dev/null 2>&1; then
        if "$PG_BIN/pg_isready" -q -h "$PGSOCK_DIR" -p "$PG_PORT"; then
            info "PostgreSQL already running (socket $PGSOCK_DIR, port $PG_PORT)"
            return 0
        fi
        # Running but unreachable (its socket file was removed): restart it cleanly.
        info "PostgreSQL runs but does not answer on $PGSOCK_DIR: restarting it"
        as_pg_user "$PG_BIN/pg_ctl" -D "$PGDATA_DIR" -m fast -w stop >/dev/null
    fi
    info "Starting PostgreSQL (socket $PGSOCK_DIR, port $PG_PORT)"
    as_pg_user "$PG_BIN/pg_ctl" -D "$PGDATA_DIR" -l "$PGDATA_DIR/server.log" -w -t 60 start \
        -o "-k $PGSOCK_DIR -p $PG_PORT -c listen_addresses='' -c fsync=off -c full_page_writes=off -c synchronous_commit=off -c max_connections=100" \
        >/dev/null || { as_pg_user tail -n 20 "$PGDATA_DIR/server.log" >&2; die "PostgreSQL did not start"; }
}

pg_stop() {
    find_pg_bin || return 0
    [ -f "$PGDATA_DIR/PG_VERSION" ] || return 0
    if is_root; then PG_RUN_USER="$(stat -c %U "$PGDATA_DIR")"; fi
    if as_pg_user "$PG_BIN/pg_ctl" -D "$PGDATA_DIR" status >/dev/null 2>&1; then
        info "Stopping PostgreSQL"
        as_pg_user "$PG_BIN/pg_ctl" -D "$PGDATA_DIR" -m fast -w stop >/dev/null
    fi
}

psql_cmd() {
    "$PG_BIN/psql" -h "$PGSOCK_DIR" -p "$PG_PORT" -U "$PG_DBUSER" -v ON_ERROR_STOP=1 "$@"
}

drop_db() {
    "$PG_BIN/dropdb" -h "$PGSOCK_DIR" -p "$PG_PORT" -U "$PG_DBUSER" --if-exists --force "$1"
    rm -rf "$BUILD_DIR/filestore/filestore/$1"
}

# --- Browser and PDF --------------------------------------------------------
ensure_chromium() {
    local bin
    for bin in chromium chromium-browser google-chrome google-chrome-stable; do
        command -v "$bin" >/dev/null 2>&1 && return 0
    done
    apt_install chromium && return 0
    die "Chromium is missing: the UI tours need it. Install Debian's 'chromium' package (apt-get install chromium), or run this command as root to let it do so."
}

ensure_websocket_client() {
    # Odoo's HttpCase drives Chromium through the DevTools protocol with websocket-client;
    # without it every tour is skipped, which must not pass for a green run.
    "$PYTHON" -c "import websocket" >/dev/null 2>&1 && return 0
    info "Installing websocket-client (needed by Odoo's browser tests)"
    "$PYTHON" -m pip install --quiet --disable-pip-version-check "websocket-client==1.4.2" \
        || die "websocket-client is missing and could not be installed: pip install websocket-client==1.4.2"
}

ensure_holidays() {
    # The contact guardrails take Chile's public holidays (national and regional) from the
    # maintained 'holidays' package (a python external dependency of the module).
    "$PYTHON" -c "import holidays" >/dev/null 2>&1 && return 0
    info "Installing holidays (Chilean public holidays of the contact guardrails)"
    "$PYTHON" -m pip install --quiet --disable-pip-version-check "holidays>=0.60" \
        || die "holidays is missing and could not be installed: pip install 'holidays>=0.60'"
}

ensure_wkhtmltopdf() {
    command -v wkhtmltopdf >/dev/null 2>&1 && return 0
    apt_install wkhtmltopdf && return 0
    echo "WARNING: wkhtmltopdf is missing: PDF reports (letters, statements) print as HTML only. Install Debian's 'wkhtmltopdf' package." >&2
}
