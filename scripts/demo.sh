#!/usr/bin/env bash
# Command 1, the main job: a fresh database with a Chilean demo company, the module and its
# demo data, then Odoo serving it on http://localhost:8069.
source "$(dirname "$0")/lib.sh"

DB="${COBRANZA_DEMO_DB:-cobranza_demo}"
PORT="${COBRANZA_HTTP_PORT:-8069}"

find_odoo
mkdir -p "$BUILD_DIR"
ensure_wkhtmltopdf
pg_start
drop_db "$DB"

info "Creating database '$DB' with cobranza_telefonica and its Chilean demo data (a few minutes)"
set +e
odoo_cmd -d "$DB" -i cobranza_telefonica,payment_demo --load-language=es_419 --without-demo= \
    --stop-after-init --log-level=info 2>&1 | odoo_install_progress "$BUILD_DIR/demo-install.log"
rc=${PIPESTATUS[0]}
set -e
if [ "$rc" != 0 ] || grep -q "demo data failed to install\| ERROR \| CRITICAL " "$BUILD_DIR/demo-install.log"; then
    die "The module or its demo data failed to install: see $BUILD_DIR/demo-install.log"
fi

cat <<MSG

  Cobranza telefónica is ready.
  URL:      http://localhost:$PORT/odoo/cobranza-queue
  Login:    jefe    Password: jefe    (Jefe de cobranza, company: Comercial Andes SpA, Chile)
  Also:     'cobrador' / 'cobrador' (Gestor de cobranza, Comercial Andes SpA);
            'admin' / 'admin' (Odoo's main company: switch to Comercial Andes SpA, top right)
  Stop with Ctrl+C; 'make stop' stops PostgreSQL.

MSG
exec env TZ=UTC "$PYTHON" -m odoo \
    --addons-path="$ADDONS_PATH" \
    --db_host="$PGSOCK_DIR" --db_port="$PG_PORT" --db_user="$PG_DBUSER" --db_password=odoo \
    --data-dir="$BUILD_DIR/filestore" -d "$DB" --db-filter="^$DB\$" \
    --http-port="$PORT" --log-level=warn
