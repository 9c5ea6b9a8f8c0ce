#!/usr/bin/env bash
# Regenerate i18n/cobranza_telefonica.pot from the module installed in the test database and
# merge it into i18n/es_419.po (existing translations kept, new terms listed as untranslated).
source "$(dirname "$0")/lib.sh"

DB="${COBRANZA_TEST_DB:-cobranza_test}"
I18N="$REPO_ROOT/cobranza_telefonica/i18n"
find_odoo
pg_start
psql_cmd -d "$DB" -c "select 1" >/dev/null 2>&1 || die "Run 'make test' first: the terms are exported from its database '$DB'."
odoo_cmd -d "$DB" -u cobranza_telefonica --stop-after-init --log-level=warn
odoo_cmd -d "$DB" --i18n-export="$I18N/cobranza_telefonica.pot" --modules=cobranza_telefonica \
    --stop-after-init --log-level=warn
# Terms Odoo itself translates (mixin fields, common words) are taken from its own es_419.po.
odoo_po=()
for module in base mail account sms web l10n_cl product; do
    for po in "$ODOO_ROOT/addons/$module/i18n/es_419.po" "$ODOO_ROOT/odoo/addons/$module/i18n/es_419.po"; do
        [ -f "$po" ] && odoo_po+=("$po")
    done
done
"$PYTHON" "$REPO_ROOT/scripts/i18n_merge.py" "$I18N/cobranza_telefonica.pot" "$I18N/es_419.po" "$@" "${odoo_po[@]}"
