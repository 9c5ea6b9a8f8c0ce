# ruff: noqa: F821 (runs in an Odoo shell, which defines `env`)
"""The collector's queue and the call screen: refreshing the priorities of every open call (two
grouped queries over the receivable lines, one UPDATE of the calls whose figures changed) for 500
customers, and opening the call screen as the web client does (`Form`: defaults, onchange of
every field of the form, the script rendered) for a customer with one invoice, one with 500 and
one with 5,000 open invoices. The module's clock is frozen at 11:00 Santiago on a working day, so
that calls are never blocked by the hour at which the benchmark is started.

Run: BENCH=call_queue make bench. The data is built once (invoices cloned in SQL, benchlib)."""

import statistics
import time
from datetime import date, timedelta

import benchlib

from odoo import Command, sql_db
from odoo.tools import SQL

from odoo.addons.cobranza_telefonica.services import clock

N = 500
BIG = (500, 5000)
ROUNDS = 5
company = env.company
if not company.chart_template:
    env["account.chart.template"].try_loading("cl", company)
company.partner_id.tz = "America/Santiago"
Partner = env["res.partner"]
partners = Partner.search([("name", "=like", "Bench call %")], order="id")
if len(partners) < N:
    partners = Partner.create(
        [{"name": f"Bench call {i:04d}", "is_company": True, "phone": "+56 2 2000 0000"} for i in range(N)]
    )
    journal = env["account.journal"].search([("type", "=", "sale"), ("company_id", "=", company.id)], limit=1)
    today = date.today()
    moves = env["account.move"].create(
        [
            {
                "move_type": "out_invoice",
                "partner_id": partner.id,
                "journal_id": journal.id,
                "invoice_date": today - timedelta(days=40 + i % 60),
                "invoice_date_due": today - timedelta(days=10 + i % 60),
                "l10n_latam_document_type_id": env.ref("l10n_cl.dc_a_f_dte").id,
                "invoice_line_ids": [
                    Command.create({"name": "x", "quantity": 1, "price_unit": 1000 * (i + 1), "tax_ids": []})
                ],
            }
            for i, partner in enumerate(partners)
        ]
    )
    moves.action_post()
    env.cr.commit()

# Customers with many open invoices: copies of the first customer's invoice, due over the last
# 200 days and the next 20.
big_partners = {}
template = env["account.move"].search(
    [("partner_id", "=", partners[0].id), ("state", "=", "posted")], limit=1
)
for count in BIG:
    name = f"Bench many invoices {count}"
    partner = Partner.search([("name", "=", name)], limit=1) or Partner.create(
        {"name": name, "is_company": True, "phone": "+56 2 2000 0001"}
    )
    tag = f"BENCH-CQ{count}-"
    env.cr.execute(SQL("SELECT count(*) FROM account_move WHERE ref LIKE %s", f"{tag}%"))
    if env.cr.fetchone()[0] < count:
        benchlib.clone_invoices(
            env,
            template,
            tag,
            1,
            count,
            SQL("%s", partner.id),
            SQL("CURRENT_DATE - (mod(g * 7919, 220) - 20)"),
        )
        env.cr.execute(SQL("ANALYZE account_move, account_move_line"))
        env.cr.commit()
        env.invalidate_all()
    big_partners[count] = partner

# One open call per customer, made again when missing (bench_followup's reset deletes every
# activity on customers).
call_type = env.ref("cobranza_telefonica.mail_activity_type_cobranza_call")
everyone = partners | Partner.browse([p.id for p in big_partners.values()])
with_call = set(
    env["mail.activity"]
    .search(
        [
            ("res_model", "=", "res.partner"),
            ("res_id", "in", everyone.ids),
            ("activity_type_id", "=", call_type.id),
        ]
    )
    .mapped("res_id")
)
for partner in everyone.filtered(lambda p: p.id not in with_call):
    partner.activity_schedule("cobranza_telefonica.mail_activity_type_cobranza_call", user_id=env.uid)
env.cr.commit()


def fields_spec(view_fields):
    """The web client's specification of what a form reads: every field of the view, with the
    columns of its lists (``onchange``'s ``fields_spec``)."""
    return {
        name: {"fields": {column: {} for column in columns}} if columns else {}
        for name, columns in view_fields.items()
    }


# The fields of cobranza_telefonica.view_cobranza_call_wizard_form and of its lists.
CALL_SCREEN = fields_spec(
    {
        **dict.fromkeys(
            [
                "company_id",
                "currency_id",
                "activity_id",
                "partner_wrong_number",
                "partner_id",
                "script_id",
                "context_html",
                "contact_result",
                "outcome",
                "receptivity",
                "date_start",
                "duration",
                "user_id",
                "promise_currency_id",
                "promise_amount",
                "promise_amount_available",
                "promise_date",
                "plan_instalments",
                "plan_interval_days",
                "dispute_reason",
                "next_call",
                "note",
                "move_ids",
                "move_table_html",
            ]
        ),
        "line_ids": ["sequence", "step_id", "done", "name", "text_html"],
        "objection_ids": ["name", "answer"],
        "promise_move_ids": ["display_name"],
        "dispute_move_ids": ["display_name"],
    }
)


def open_call_screen(activity):
    """The call screen of ``activity`` as the web client opens it (the action, then the form's
    onchange of a new record with every field of the view): seconds, queries, steps, context."""
    env.invalidate_all()
    queries = sql_db.sql_counter
    start = time.perf_counter()
    context = activity.action_cobranza_start_call()["context"]
    result = env["cobranza.call.wizard"].with_context(**context).onchange({}, [], CALL_SCREEN)
    elapsed = time.perf_counter() - start
    values = result["value"]
    return (
        elapsed,
        sql_db.sql_counter - queries,
        sum(1 for command in values["line_ids"] if command[0] == Command.CREATE),
        len(values["context_html"] or ""),
    )


Activity = env["mail.activity"]
with clock.frozen_at(benchlib.lawful_moment(env, company)):
    start = time.perf_counter()
    queries = env.cr.sql_log_count
    action = Activity.action_cobranza_my_calls()
    env.flush_all()
    elapsed = time.perf_counter() - start
    calls = Activity.search(action["domain"], order="cobranza_priority desc")
    print(f"queue refresh: {len(calls)} calls in {elapsed:.2f} s, {env.cr.sql_log_count - queries} queries")
    env.cr.commit()
    env.invalidate_all()
    start = time.perf_counter()
    queries = env.cr.sql_log_count
    Activity.action_cobranza_my_calls()
    env.flush_all()
    print(
        f"queue opened again, nothing changed: {time.perf_counter() - start:.2f} s, "
        f"{env.cr.sql_log_count - queries} queries (no UPDATE: only changed calls are written)"
    )
    screens = {"one invoice": calls.filtered(lambda call: call.cobranza_partner_id in partners)[:1]}
    for count, partner in big_partners.items():
        screens[f"{count:,} open invoices"] = calls.filtered(
            lambda call, p=partner: call.cobranza_partner_id == p
        )
    targets = {"500 open invoices": 0.3, "5,000 open invoices": 1.5}
    for label, activity in screens.items():
        times = []
        for _round in range(ROUNDS):
            seconds, queries, steps, size = open_call_screen(activity)
            times.append(seconds)
            env.cr.rollback()
        median = statistics.median(times)
        print(
            f"call screen, customer with {label}: median {median * 1000:.0f} ms, "
            f"min {min(times) * 1000:.0f} ms of {ROUNDS}, {queries} queries, "
            f"{steps} script steps, context {size:,} characters"
        )
        if label in targets:
            benchlib.target(
                f"call screen, customer with {label} (open, defaults, script)",
                f"median {median * 1000:.0f} ms, min {min(times) * 1000:.0f} ms, {queries} queries",
                f"<= {targets[label] * 1000:.0f} ms",
                median <= targets[label],
            )
env.cr.rollback()
