# shellcheck shell=bash
# Shared helpers for the project's commands: find Odoo, run a private PostgreSQL
# cluster under the build folder, a Python environment there, the system tools the commands need.
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
# The project's Python: a virtual environment in the build folder with Odoo's requirements, the
# add-on's and the tests', made by the python3 that runs the commands (PYTHON overrides it). The
# system Python is never changed. Odoo itself is not installed in it: its tree is on PYTHONPATH.
HOST_PYTHON="$PYTHON"
VENV="$BUILD_DIR/venv"
ODOO_GIT_URL="${ODOO_GIT_URL:-https://github.com/odoo/odoo}"
ODOO_GIT_BRANCH="${ODOO_GIT_BRANCH:-18.0}"

odoo_tree_of_host_python() {
    # The folder holding the `odoo` package the host python3 finds (a .pth file, a pip install).
    # Found, not imported: importing Odoo needs its requirements, which the host python3 may lack.
    "$HOST_PYTHON" -c 'import importlib.util as u, os; s = u.find_spec("odoo"); print(os.path.dirname(os.path.dirname(os.path.abspath(s.origin))))' 2>/dev/null
}

find_odoo_tree() {
    # Sets ODOO_ROOT: ODOO_SRC, else the tree of an importable `odoo`, else a shallow clone of
    # Odoo 18.0 in the build folder. Stops with what to do when none of them works.
    local root=""
    if [ -n "${ODOO_SRC:-}" ]; then
        [ -d "$ODOO_SRC/odoo" ] || die "ODOO_SRC=$ODOO_SRC does not hold an Odoo source tree (no odoo/ folder)."
        root="$(cd "$ODOO_SRC" && pwd)"
        info "Odoo: the tree ODOO_SRC=$root"
    elif root="$(odoo_tree_of_host_python)" && [ -n "$root" ]; then
        case "$(basename "$root")" in
            site-packages | dist-packages)
                # A pip-installed odoo: only its package goes on the path, not the whole site-packages.
                mkdir -p "$BUILD_DIR/odoo-link"
                ln -sfn "$root/odoo" "$BUILD_DIR/odoo-link/odoo"
                root="$BUILD_DIR/odoo-link"
                ;;
        esac
        info "Odoo: the tree $root that '$HOST_PYTHON' finds (set ODOO_SRC to use another)"
    elif [ -f "$BUILD_DIR/odoo/odoo/release.py" ]; then
        root="$BUILD_DIR/odoo"
    else
        info "Odoo 18.0 not found: cloning branch $ODOO_GIT_BRANCH of $ODOO_GIT_URL into $BUILD_DIR/odoo (shallow, ~1 GB)"
        rm -rf "$BUILD_DIR/odoo.partial"
        mkdir -p "$BUILD_DIR"
        if ! git clone --depth 1 --branch "$ODOO_GIT_BRANCH" --progress "$ODOO_GIT_URL" "$BUILD_DIR/odoo.partial"; then
            rm -rf "$BUILD_DIR/odoo.partial"
            cat >&2 <<MSG
ERROR: Odoo 18.0 was not found and could not be downloaded from $ODOO_GIT_URL.
  Point ODOO_SRC at an Odoo 18.0 Community source tree (the folder holding odoo/ and odoo-bin):
      ODOO_SRC=/path/to/odoo-18.0 make test
  Nothing was run.
MSG
            exit 2
        fi
        mv "$BUILD_DIR/odoo.partial" "$BUILD_DIR/odoo"
        root="$BUILD_DIR/odoo"
    fi
    local version
    version="$(sed -n 's/^version_info = (\([0-9]*\),.*/\1/p' "$root/odoo/release.py" 2>/dev/null)"
    [ "$version" = "18" ] || die "Odoo at $root is version '${version:-unknown}', this module needs 18.0."
    ODOO_ROOT="$root"
}

odoo_requirements() {
    # Prints the path of Odoo's requirements: the tree's own (markers evaluated by pip for the
    # running Python; python-ldap dropped, only auth_ldap uses it and it needs system headers),
    # else the pinned list of this repository.
    if [ -f "$ODOO_ROOT/requirements.txt" ]; then
        grep -vi '^python-ldap' "$ODOO_ROOT/requirements.txt" >"$BUILD_DIR/odoo-requirements.txt"
        echo "$BUILD_DIR/odoo-requirements.txt"
    else
        echo "$REPO_ROOT/scripts/odoo-requirements.txt"
    fi
}

ensure_venv() {
    # Creates or reuses $VENV. Reused as is while the requirement files, the Odoo tree and the
    # host python are the same as when it was made (a stamp records them).
    local odoo_reqs stamp
    odoo_reqs="$(odoo_requirements)"
    local reqs=("$odoo_reqs" "$REPO_ROOT/requirements.txt" "$REPO_ROOT/test-requirements.txt")
    stamp="$( { cat "${reqs[@]}"; echo "$ODOO_ROOT"; "$HOST_PYTHON" -c 'import sys; print(sys.version, sys.base_prefix)'; } | sha256sum | cut -d' ' -f1)"
    if [ -x "$VENV/bin/python" ] && [ "$(cat "$VENV/cobranza-stamp" 2>/dev/null)" = "$stamp" ]; then
        info "Python environment $VENV is up to date"
        return 0
    fi
    [ "$odoo_reqs" = "$REPO_ROOT/scripts/odoo-requirements.txt" ] \
        && info "$ODOO_ROOT has no requirements.txt: using the pinned list scripts/odoo-requirements.txt (CPython 3.11)"
    info "Creating the Python environment $VENV ($("$HOST_PYTHON" --version 2>&1), a few minutes the first time)"
    rm -f "$VENV/cobranza-stamp"
    if ! "$HOST_PYTHON" -m venv "$VENV" >"$BUILD_DIR/venv.log" 2>&1; then
        apt_install python3-venv && "$HOST_PYTHON" -m venv "$VENV" >"$BUILD_DIR/venv.log" 2>&1 \
            || { cat "$BUILD_DIR/venv.log" >&2; die "'$HOST_PYTHON -m venv' failed: install Debian's 'python3-venv' package."; }
    fi
    # Old sdists (e.g. vobject, ofxparse) still import pkg_resources while they build.
    echo "setuptools<70" >"$BUILD_DIR/pip-constraints.txt"
    info "Installing Odoo's requirements ($odoo_reqs), the add-on's and the tests' (log: $BUILD_DIR/pip.log)"
    set +e
    PIP_CONSTRAINT="$BUILD_DIR/pip-constraints.txt" "$VENV/bin/python" -m pip install \
        --disable-pip-version-check --progress-bar off "setuptools<70" wheel \
        -r "${reqs[0]}" -r "${reqs[1]}" -r "${reqs[2]}" 2>&1 \
        | tee "$BUILD_DIR/pip.log" | grep --line-buffered -E '^(Collecting|Ignoring|Installing collected|Successfully|ERROR)|^ *Building wheel for .*started' \
        | sed -u 's/^/    /'
    local rc=${PIPESTATUS[0]}
    set -e
    if [ "$rc" != 0 ]; then
        tail -n 30 "$BUILD_DIR/pip.log" >&2
        die "Installing the Python requirements failed (see $BUILD_DIR/pip.log). Packages that build from source need a C compiler and headers: apt-get install build-essential python3-dev libpq-dev libxml2-dev libxslt1-dev libjpeg-dev zlib1g-dev"
    fi
    echo "$stamp" >"$VENV/cobranza-stamp"
}

find_odoo() {
    # Sets ODOO_ROOT, ADDONS_PATH and PYTHON (the build folder's virtual environment, with the
    # Odoo tree on PYTHONPATH), or stops loudly.
    mkdir -p "$BUILD_DIR"
    find_odoo_tree
    ensure_venv
    PYTHON="$VENV/bin/python"
    export PYTHONPATH="$ODOO_ROOT${PYTHONPATH:+:$PYTHONPATH}"
    local version
    if ! version="$("$PYTHON" -c 'import odoo.release as r; print(r.version_info[0])' 2>&1)"; then
        echo "$version" >&2
        die "Odoo at $ODOO_ROOT does not import in $VENV (see above)."
    fi
    ADDONS_PATH="$ODOO_ROOT/odoo/addons"
    [ -d "$ODOO_ROOT/addons" ] && ADDONS_PATH="$ODOO_ROOT/addons,$ADDONS_PATH"
    ADDONS_PATH="$ADDONS_PATH,$REPO_ROOT"
    export ODOO_ROOT ADDONS_PATH PYTHON
}

odoo_cmd() {
    # odoo_cmd <odoo arguments>...: run Odoo against the private cluster.
    TZ=UTC "$PYTHON" -m odoo \
        --addons-path="$ADDONS_PATH" \
        --db_host="$PGSOCK_DIR" --db_port="$PG_PORT" --db_user="$PG_DBUSER" --db_password=odoo \
        --data-dir="$BUILD_DIR/filestore" \
        "$@"
}

test_database_mode() {
    # test_database_mode <database> <what else, for the message>: sets MODE to the Odoo options
    # that put the module in the test database. COBRANZA_TEST_UPDATE=1 updates it in the existing
    # database instead of starting afresh: quicker while developing, never used by CI.
    if [ "${COBRANZA_TEST_UPDATE:-0}" = "1" ] && psql_cmd -d "$1" -c "select 1" >/dev/null 2>&1; then
        MODE=(-u cobranza_telefonica)
        info "Updating cobranza_telefonica in the existing database '$1' ($2)"
    else
        drop_db "$1"
        # payment_demo: the demo payment provider the collection page's tests pay with.
        MODE=(-i cobranza_telefonica,payment_demo)
        info "Installing cobranza_telefonica in a fresh database '$1' ($2; a few minutes)"
    fi
}

write_odoo_config() {
    # write_odoo_config <file> <database> [<logfile>]: an Odoo configuration for pytest-odoo,
    # the same options odoo_cmd passes on its command line.
    cat >"$1" <<CFG
[options]
addons_path = $ADDONS_PATH
db_host = $PGSOCK_DIR
db_port = $PG_PORT
db_user = $PG_DBUSER
db_password = odoo
db_name = $2
dbfilter = ^$2\$
data_dir = $BUILD_DIR/filestore
logfile = ${3:-}
workers = 0
max_cron_threads = 0
without_demo = False
CFG
}

odoo_install_progress() {
    # Reads an Odoo log at level info on stdin: prints each module as it is installed or updated
    # ("[12/61] account"), warnings and errors; the whole log goes to the file given as $1.
    tee "$1" | awk '
        / odoo\.modules\.loading: Loading module / { sub(/.* Loading module /, ""); split($0, a, " ");
            gsub(/[()]/, "", a[2]); printf "    [%s] %s\n", a[2], a[1]; fflush(); next }
        / (WARNING|ERROR|CRITICAL) / { print "    " $0; fflush() }'
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

ensure_wkhtmltopdf() {
    command -v wkhtmltopdf >/dev/null 2>&1 && return 0
    apt_install wkhtmltopdf && return 0
    echo "WARNING: wkhtmltopdf is missing: PDF reports (letters, statements) print as HTML only. Install Debian's 'wkhtmltopdf' package." >&2
}
