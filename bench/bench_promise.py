# Promises to pay on a real database: the reconciliation hook, the daily check and the
# follow-up exclusion, with 1,000 open invoices and promises. Run: BENCH=promise make bench.
# Everything is rolled back at the end.
import time
from datetime import timedelta

from odoo import Command, fields
from odoo.tools import SQL

from odoo.addons.cobranza_telefonica.services import rut

N_CUSTOMERS, N_INVOICES = 50, 1000


def timed(label, function):
    print(f"... {label}", flush=True)
    queries = env.cr.sql_log_count
    start = time.perf_counter()
    result = function()
    env.flush_all()
    print(
        f"{label}: {time.perf_counter() - start:.2f} s, {env.cr.sql_log_count - queries} queries", flush=True
    )
    return result


env = env(user=env.ref("base.user_root").id, context={"tracking_disable": True})  # noqa: F821
company = env["res.company"].create({"name": "Bench Promesas SpA", "country_id": env.ref("base.cl").id})
env.user.company_ids |= company
env = env(context=dict(env.context, allowed_company_ids=company.ids))
timed(
    "chart of accounts (l10n_cl)",
    lambda: env["account.chart.template"].try_loading("cl", company, install_demo=False),
)
journal = env["account.journal"].search([("company_id", "=", company.id), ("type", "=", "sale")], limit=1)
today = fields.Date.context_today(env.user)
customers = env["res.partner"].create(
    [
        {
            "name": f"Cliente {i} SpA",
            "is_company": True,
            "country_id": env.ref("base.cl").id,
            "l10n_latam_identification_type_id": env.ref("l10n_cl.it_RUT").id,
            "vat": f"{76000000 + i}-{rut.check_digit(76000000 + i)}",
            "l10n_cl_sii_taxpayer_type": "1",
        }
        for i in range(N_CUSTOMERS)
    ]
)
doc_type = env.ref("l10n_cl.dc_a_f_dte")


def make_invoices():
    moves = env["account.move"].create(
        [
            {
                "move_type": "out_invoice",
                "partner_id": customers[i % N_CUSTOMERS].id,
                "journal_id": journal.id,
                "l10n_latam_document_type_id": doc_type.id,
                "invoice_date": today - timedelta(days=40),
                "invoice_date_due": today - timedelta(days=10),
                "invoice_line_ids": [
                    Command.create({"name": "Servicio", "quantity": 1, "price_unit": 100000, "tax_ids": []})
                ],
            }
            for i in range(N_INVOICES)
        ]
    )
    env.flush_all()
    env.cr.execute(
        SQL("ANALYZE")
    )  # fresh bulk data: without statistics PostgreSQL plans Odoo's queries badly
    for start in range(0, len(moves), 100):
        moves[start : start + 100].action_post()
    return moves


invoices = timed(f"{N_INVOICES} invoices created and posted", make_invoices)
promises = timed(
    f"{N_INVOICES} promises created (validated)",
    lambda: env["cobranza.promise"].create(
        [
            {
                "partner_id": invoice.partner_id.id,
                "company_id": company.id,
                "date": today + timedelta(days=5),
                "line_ids": [Command.create({"move_id": invoice.id, "amount": 60000})],
            }
            for invoice in invoices
        ]
    ),
)
timed(f"exclusion reasons of {N_INVOICES} invoices", lambda: invoices._cobranza_exclusion_reasons())
paid = invoices[:200]
timed(
    "hook alone: evaluate the promises of 200 invoices",
    lambda: env["cobranza.promise"]._cobranza_evaluate_for_moves(paid),
)


def pay():
    wizard = (
        env["account.payment.register"]
        .with_context(active_model="account.move", active_ids=paid.ids)
        .create({"payment_date": today, "group_payment": False})
    )
    return wizard._create_payments()


timed("200 payments registered and reconciled (hook included)", pay)
print("kept after payment:", env["cobranza.promise"].search_count([("state", "=", "kept")]))
env.cr.execute(
    SQL(
        "UPDATE cobranza_promise SET date_deadline = %s WHERE id = ANY(%s) AND state = 'open'",
        today - timedelta(days=1),
        promises.ids,
    )
)
env.invalidate_all()
timed("daily check, first batch of 500", lambda: env["cobranza.promise"]._cron_cobranza_check_promises(500))
timed("daily check, second batch of 500", lambda: env["cobranza.promise"]._cron_cobranza_check_promises(500))
timed("daily check again (nothing left)", lambda: env["cobranza.promise"]._cron_cobranza_check_promises(500))
print("broken:", env["cobranza.promise"].search_count([("state", "=", "broken")]))
print(
    "call activities:",
    env["mail.activity"].search_count([("res_model", "=", "res.partner"), ("res_id", "in", customers.ids)]),
)
timed(
    f"statistics of {N_CUSTOMERS} customers",
    lambda: customers.mapped("cobranza_promise_kept_ratio"),
)
env.cr.rollback()
