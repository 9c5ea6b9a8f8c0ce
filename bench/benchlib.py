"""What several benchmarks share: a Chilean taxpayer's fields, invoices cloned in SQL from one
real posted invoice, and the "TARGET" lines that scripts/bench.sh gathers into one table.

The benchmarks run in an Odoo shell; scripts/bench.sh puts bench/ on PYTHONPATH."""

from datetime import datetime, timedelta
from datetime import time as day_time

from odoo.tools import SQL

from odoo.addons.cobranza_telefonica.models.res_partner import to_utc
from odoo.addons.cobranza_telefonica.services import rut


def target(what, measured, goal, met):
    """One figure beside its target, gathered by scripts/bench.sh at the end of `make bench`."""
    print(f"TARGET | {what} | {measured} | {goal} | {'met' if met else 'MISSED'}", flush=True)


def lawful_moment(env, company):
    """11:00 in the company's time zone on its local today, or on the next day when today is a
    Sunday or a holiday: the contact window is open, so a benchmark measures the same work (e-mails
    and calls, not postponements or "call blocked") at whatever hour it is started."""
    day = company._cobranza_today()
    days_off = env["cobranza.holiday"]._cobranza_days_off(company, {day.year, day.year + 1})
    while day.weekday() == 6 or day in days_off:
        day += timedelta(days=1)
    return to_utc(datetime.combine(day, day_time(11, 0)), company._cobranza_tz())


def chilean_taxpayer(env, number):
    """A valid RUT and what l10n_cl needs to accept invoices (DTE 33) for the customer."""
    return {
        "country_id": env.ref("base.cl").id,
        "l10n_latam_identification_type_id": env.ref("l10n_cl.it_RUT").id,
        "vat": f"{76000000 + number}-{rut.check_digit(76000000 + number)}",
        "l10n_cl_sii_taxpayer_type": "1",
    }


def columns(env, table, exclude):
    env.cr.execute(
        SQL(
            "SELECT column_name FROM information_schema.columns "
            "WHERE table_name = %s AND column_name != ALL(%s)",
            table,
            list(exclude),
        )
    )
    return [row[0] for row in env.cr.fetchall()]


def clone_select(cols, alias, overrides, scaled, factor):
    """The SELECT list copying ``alias``'s row, with ``overrides`` and amounts times ``factor``."""
    parts = []
    for col in cols:
        if col in overrides:
            parts.append(overrides[col])
        elif col in scaled:
            parts.append(SQL("%s.%s * %s", SQL.identifier(alias), SQL.identifier(col), factor))
        else:
            parts.append(SQL("%s.%s", SQL.identifier(alias), SQL.identifier(col)))
    return SQL(", ").join(parts)


def clone_invoices(env, template, tag, start, stop, partner, due):
    """Invoices number ``start`` to ``stop`` (``g`` in the SQL expressions ``partner`` and
    ``due``), copies of the posted ``template`` (move and lines) with their own customer, due
    date, name, folio and ref ``<tag><g>``, amounts times 1 to 50. Nothing is recomputed: the
    copies are as consistent as the template."""
    move_overrides = {
        "name": SQL("%s || g", f"{tag}/"),
        "ref": SQL("%s || g", tag),
        "partner_id": partner,
        "commercial_partner_id": partner,
        "invoice_date_due": due,
        "cobranza_oldest_due_date": due,
        "l10n_latam_document_number": SQL("(1000000 + g)::varchar"),
        "sequence_number": SQL("1000000 + g"),
        "cobranza_level_id": SQL("NULL"),
        "cobranza_next_action_date": SQL("NULL"),
        "cobranza_excluded": SQL("FALSE"),
        "access_token": SQL("NULL"),
    }
    move_cols = columns(env, "account_move", ["id"])
    move_scaled = {col for col in move_cols if col.startswith("amount_")}
    line_cols = columns(env, "account_move_line", ["id"])
    line_overrides = {
        "move_id": SQL("m.id"),
        "partner_id": SQL("m.partner_id"),
        "move_name": SQL("m.name"),
        "date_maturity": SQL("CASE WHEN l.date_maturity IS NULL THEN NULL ELSE m.invoice_date_due END"),
    }
    line_scaled = {
        "debit",
        "credit",
        "balance",
        "amount_currency",
        "amount_residual",
        "amount_residual_currency",
        "price_unit",
        "price_subtotal",
        "price_total",
    }
    number = SQL("substr(m.ref, %s)::int", len(tag) + 1)
    env.cr.execute(
        SQL(
            "INSERT INTO account_move (%s) SELECT %s FROM account_move t, generate_series(%s, %s) g "
            "WHERE t.id = %s",
            SQL(", ").join(SQL.identifier(col) for col in move_cols),
            clone_select(move_cols, "t", move_overrides, move_scaled, SQL("(1 + mod(g, 50))")),
            start,
            stop,
            template.id,
        )
    )
    env.cr.execute(
        SQL(
            "INSERT INTO account_move_line (%s) SELECT %s FROM account_move m "
            "JOIN account_move_line l ON l.move_id = %s "
            "WHERE m.ref LIKE %s AND m.ref ~ %s AND %s BETWEEN %s AND %s",
            SQL(", ").join(SQL.identifier(col) for col in line_cols),
            clone_select(line_cols, "l", line_overrides, line_scaled, SQL("(1 + mod(%s, 50))", number)),
            template.id,
            f"{tag}%",
            f"^{tag}[0-9]+$",
            number,
            start,
            stop,
        )
    )
