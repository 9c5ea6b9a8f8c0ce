# ruff: noqa: F821 (runs in an Odoo shell, which defines `env`)
"""Follow-up run benchmark: 10,000 customers and 100,000 open invoices, then the daily run.

Run with `BENCH=followup make bench` (or scripts/bench.sh). The data is built once:
customers through the ORM in batches, invoices by cloning one real posted invoice (move and
lines) with INSERT ... SELECT, varying customer, amount, due date and folio, so the tables look
like a real ledger. Then it times the run twice (the second run is the same day: nothing new to
send) and prints seconds and SQL queries per invoice. Set BENCH_CUSTOMERS / BENCH_INVOICES to
change the size.
"""

import os
import resource
import time
from datetime import datetime, timedelta
from datetime import time as day_time

from odoo import Command, fields, sql_db
from odoo.tools import SQL

from odoo.addons.cobranza_telefonica.models.res_partner import to_utc
from odoo.addons.cobranza_telefonica.services import clock, rut

N_CUSTOMERS = int(os.environ.get("BENCH_CUSTOMERS", "10000"))
N_INVOICES = int(os.environ.get("BENCH_INVOICES", "100000"))
TAG = "BENCH-FU"


def log(message, *args):
    print(f"[bench_followup] {message % args}", flush=True)


def chilean_company():
    company = env.company
    if company.account_fiscal_country_id.code != "CL" or not company.chart_template:
        company = env["res.company"].search([("name", "=", "Bench Cobranza SpA")], limit=1)
    if not company:
        company = env["res.company"].create(
            {
                "name": "Bench Cobranza SpA",
                "country_id": env.ref("base.cl").id,
                "currency_id": env.ref("base.CLP").id,
            }
        )
        env["account.chart.template"].try_loading("cl", company=company, install_demo=False)
        env.cr.commit()
    company.partner_id.tz = "America/Santiago"
    env.user.company_ids |= company
    return company


def chilean_taxpayer(number):
    """A valid RUT and what l10n_cl needs to accept invoices (DTE 33) for the customer."""
    return {
        "country_id": env.ref("base.cl").id,
        "l10n_latam_identification_type_id": env.ref("l10n_cl.it_RUT").id,
        "vat": f"{76000000 + number}-{rut.check_digit(76000000 + number)}",
        "l10n_cl_sii_taxpayer_type": "1",
    }


def build_customers(company):
    Partner = env["res.partner"]
    existing = Partner.search([("ref", "=like", f"{TAG}-%")], order="id")
    missing = N_CUSTOMERS - len(existing)
    t0 = time.time()
    for start in range(0, max(missing, 0), 1000):
        Partner.create(
            [
                {
                    "name": f"Cliente Bench {len(existing) + start + i:05d}",
                    "ref": f"{TAG}-{len(existing) + start + i:05d}",
                    "is_company": (start + i) % 3 != 0,
                    "phone": "+56 2 2345 6789" if (start + i) % 10 else False,
                    "email": f"cliente{len(existing) + start + i}@bench.cl",
                    **chilean_taxpayer(len(existing) + start + i),
                }
                for i in range(min(1000, missing - start))
            ]
        )
        env.cr.commit()
    if missing > 0:
        log("created %s customers in %.1f s", missing, time.time() - t0)
    return Partner.search([("ref", "=like", f"{TAG}-%")], order="id", limit=N_CUSTOMERS)


def template_invoice(company, partner):
    Move = env["account.move"].with_company(company)
    template = Move.search([("ref", "=", f"{TAG}-TEMPLATE"), ("company_id", "=", company.id)], limit=1)
    if template:
        return template
    if not partner.vat:
        partner.write(chilean_taxpayer(0))
    journal = env["account.journal"].search([("company_id", "=", company.id), ("type", "=", "sale")], limit=1)
    doc_type = env["l10n_latam.document.type"].search(
        [("code", "=", "33"), ("country_id.code", "=", "CL")], limit=1
    )
    vals = {
        "move_type": "out_invoice",
        "partner_id": partner.id,
        "journal_id": journal.id,
        "ref": f"{TAG}-TEMPLATE",
        "invoice_date": fields.Date.today() - timedelta(days=40),
        "invoice_date_due": fields.Date.today(),
        "invoice_payment_term_id": False,
        "invoice_line_ids": [
            Command.create({"name": "Servicio", "quantity": 1, "price_unit": 10000, "tax_ids": []})
        ],
    }
    if journal.l10n_latam_use_documents:
        vals.update({"l10n_latam_document_type_id": doc_type.id, "l10n_latam_document_number": "1"})
    template = Move.create(vals)
    template.action_post()
    env.cr.commit()
    return template


def columns(table, exclude):
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


def build_invoices(company, partners, template):
    env.cr.execute(SQL("SELECT count(*) FROM account_move WHERE ref LIKE %s", f"{TAG}-I%"))
    have = env.cr.fetchone()[0]
    if have >= N_INVOICES:
        return have
    t0 = time.time()
    partner_ids = partners.ids
    due = SQL("CURRENT_DATE - (mod(g * 7919, 160) - 10)")
    partner = SQL("(%s::int[])[1 + mod(g, %s)]", partner_ids, len(partner_ids))
    move_overrides = {
        "name": SQL("'BENCH/' || g"),
        "ref": SQL("%s || g", f"{TAG}-I"),
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
    move_cols = columns("account_move", ["id"])
    move_scaled = {col for col in move_cols if col.startswith("amount_")}
    line_cols = columns("account_move_line", ["id"])
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
    number = SQL("substr(m.ref, %s)::int", len(TAG) + 3)
    chunk = 20000
    for start in range(have + 1, N_INVOICES + 1, chunk):
        stop = min(start + chunk - 1, N_INVOICES)
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
                "JOIN account_move_line l ON l.move_id = %s WHERE m.ref LIKE %s AND %s BETWEEN %s AND %s",
                SQL(", ").join(SQL.identifier(col) for col in line_cols),
                clone_select(line_cols, "l", line_overrides, line_scaled, SQL("(1 + mod(%s, 50))", number)),
                template.id,
                f"{TAG}-I%",
                number,
                start,
                stop,
            )
        )
        env.cr.commit()
        log("invoices %s-%s inserted (%.1f s)", start, stop, time.time() - t0)
    env.cr.execute(SQL("ANALYZE account_move, account_move_line"))
    env.cr.commit()
    env.invalidate_all()
    return N_INVOICES


def reset_followup(company):
    """Forget what earlier runs did, so that the first timed run starts from nothing."""
    for query in (
        SQL("DELETE FROM cobranza_followup_action WHERE company_id = %s", company.id),
        SQL("DELETE FROM cobranza_contact WHERE company_id = %s", company.id),
        SQL("DELETE FROM cobranza_followup_run WHERE company_id = %s", company.id),
        SQL("DELETE FROM mail_activity WHERE res_model = 'res.partner'"),
        SQL("DELETE FROM mail_mail"),
        SQL(
            "UPDATE account_move SET cobranza_level_id = NULL, cobranza_next_action_date = NULL, "
            "cobranza_excluded = FALSE, cobranza_exclusion_reason = NULL, cobranza_postpone_reason = NULL, "
            "cobranza_letter_pending = FALSE WHERE company_id = %s",
            company.id,
        ),
        SQL("UPDATE res_partner SET cobranza_level_id = NULL"),
    ):
        env.cr.execute(query)
    env.cr.commit()
    env.invalidate_all()


def lawful_moment(company):
    """11:00 in the company's time zone on its local today, or on the next day when today is a
    Sunday or a holiday: the contact window is open, so the run measures the same work (e-mails
    and calls, not postponements) at whatever hour the benchmark is started."""
    day = company._cobranza_today()
    days_off = env["cobranza.holiday"]._cobranza_days_off(company, {day.year, day.year + 1})
    while day.weekday() == 6 or day in days_off:
        day += timedelta(days=1)
    return to_utc(datetime.combine(day, day_time(11, 0)), company._cobranza_tz())


def timed_run(label):
    Run = env["cobranza.followup.run"]
    env.invalidate_all()
    queries_before = sql_db.sql_counter
    t0, cpu0 = time.time(), time.process_time()
    # The cron's run of the benchmark's company only (the database may hold other benchmarks'
    # companies, such as bench_aging's million lines), under the cron's lock.
    if not Run._cobranza_lock_company(COMPANY):
        raise RuntimeError(f"a follow-up run of {COMPANY.name} is already running")
    try:
        Run._cron_cobranza_followup_company(COMPANY, batch_size=500)
    finally:
        Run._cobranza_unlock_company(COMPANY)
    seconds, cpu = time.time() - t0, time.process_time() - cpu0
    queries = sql_db.sql_counter - queries_before
    run = Run.search([("trigger", "=", "cron"), ("company_id", "=", COMPANY.id)], limit=1)
    evaluated = run.evaluated_count or 1
    log(
        "%s: %.1f s (%.1f s CPU in Odoo), %s queries, %.3f queries/invoice; "
        "evaluated %s invoices of %s customers, %s e-mails, %s calls, %s letters, %s reviews, "
        "%s postponed, %s excluded, %s errors",
        label,
        seconds,
        cpu,
        queries,
        queries / evaluated,
        run.evaluated_count,
        run.customer_count,
        run.email_count,
        run.call_count,
        run.letter_count,
        run.review_count,
        run.postponed_count,
        run.excluded_count,
        run.error_count,
    )
    log(
        "peak resident memory of this process so far: %.0f MB",
        resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
    )
    env.cr.commit()


COMPANY = chilean_company()
env = env(context=dict(env.context, allowed_company_ids=COMPANY.ids))
customers = build_customers(COMPANY)
template = template_invoice(COMPANY, customers[0])
total = build_invoices(COMPANY, customers, template)
log("%s customers, %s open invoices in %s", len(customers), total, COMPANY.name)
# BENCH_WORKERS: how many database connections work the run's batches (the system parameter
# cobranza_telefonica.followup_workers; default 2). Several values, e.g. "1,2,1,2", run the
# first run once per value, reset in between, in that order (interleaved rounds).
WORKERS = [value.strip() for value in os.environ.get("BENCH_WORKERS", "2").split(",") if value.strip()]


def set_workers(value):
    env["ir.config_parameter"].sudo().set_param("cobranza_telefonica.followup_workers", value)
    env.cr.commit()


if os.environ.get("BENCH_RESET", "1") == "1":
    reset_followup(COMPANY)
MOMENT = lawful_moment(COMPANY)
log("module clock frozen at %s UTC (11:00 in %s)", MOMENT, COMPANY._cobranza_tz().zone)
with clock.frozen_at(MOMENT):
    for round_number, workers in enumerate(WORKERS):
        if round_number:
            reset_followup(COMPANY)
        set_workers(workers)
        timed_run(f"first run (everything new), {workers} worker(s)")
    timed_run("second run the same day")
