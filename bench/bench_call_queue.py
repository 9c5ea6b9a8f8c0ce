# The collector's queue and the call screen on many customers: refreshing the priorities of
# every open call (two grouped queries + one write per call) and opening the call screen.
# Run: BENCH=call_queue scripts/bench.sh
import time
from datetime import date, timedelta

from odoo import Command

N = 500
company = env.company  # noqa: F821 - the Odoo shell provides env
if not company.chart_template:
    env["account.chart.template"].try_loading("cl", company)  # noqa: F821
Partner = env["res.partner"]  # noqa: F821
partners = Partner.search([("name", "=like", "Bench call %")])
if len(partners) < N:
    partners = Partner.create(
        [{"name": f"Bench call {i:04d}", "is_company": True, "phone": "+56 2 2000 0000"} for i in range(N)]
    )
    journal = env["account.journal"].search([("type", "=", "sale"), ("company_id", "=", company.id)], limit=1)  # noqa: F821
    today = date.today()
    moves = env["account.move"].create(  # noqa: F821
        [
            {
                "move_type": "out_invoice",
                "partner_id": partner.id,
                "journal_id": journal.id,
                "invoice_date": today - timedelta(days=40 + i % 60),
                "invoice_date_due": today - timedelta(days=10 + i % 60),
                "l10n_latam_document_type_id": env.ref("l10n_cl.dc_a_f_dte").id,  # noqa: F821
                "invoice_line_ids": [
                    Command.create({"name": "x", "quantity": 1, "price_unit": 1000 * (i + 1), "tax_ids": []})
                ],
            }
            for i, partner in enumerate(partners)
        ]
    )
    moves.action_post()
    env.cr.commit()  # noqa: F821
# One open call per customer, made again when missing (bench_followup's reset deletes every
# activity on customers).
call_type = env.ref("cobranza_telefonica.mail_activity_type_cobranza_call")  # noqa: F821
with_call = set(
    env["mail.activity"]  # noqa: F821
    .search(
        [
            ("res_model", "=", "res.partner"),
            ("res_id", "in", partners.ids),
            ("activity_type_id", "=", call_type.id),
        ]
    )
    .mapped("res_id")
)
for partner in partners.filtered(lambda p: p.id not in with_call):
    partner.activity_schedule("cobranza_telefonica.mail_activity_type_cobranza_call", user_id=env.uid)  # noqa: F821
env.cr.commit()  # noqa: F821

Activity = env["mail.activity"]  # noqa: F821
start = time.perf_counter()
queries = env.cr.sql_log_count  # noqa: F821
action = Activity.action_cobranza_my_calls()
env.flush_all()  # noqa: F821
elapsed = time.perf_counter() - start
calls = Activity.search(action["domain"], order="cobranza_priority desc")
print(f"queue refresh: {len(calls)} calls in {elapsed:.2f} s, {env.cr.sql_log_count - queries} queries")  # noqa: F821
env.cr.commit()  # noqa: F821
env.invalidate_all()  # noqa: F821
start = time.perf_counter()
queries = env.cr.sql_log_count  # noqa: F821
Activity.action_cobranza_my_calls()
env.flush_all()  # noqa: F821
print(
    f"queue opened again, nothing changed: {time.perf_counter() - start:.2f} s, "
    f"{env.cr.sql_log_count - queries} queries (no UPDATE: only changed calls are written)"  # noqa: F821
)
top = calls[:1]
print(
    f"first: {top.cobranza_partner_id.name}, overdue {top.cobranza_amount_overdue:.0f} "
    f"x {top.cobranza_days_overdue} days"
)
start = time.perf_counter()
wizard = env["cobranza.call.wizard"].with_context(**top.action_cobranza_start_call()["context"]).new({})  # noqa: F821
html = wizard.context_html
lines = wizard.line_ids
elapsed = time.perf_counter() - start
print(
    f"call screen: {len(lines)} script steps rendered, context {len(html)} chars in {elapsed * 1000:.0f} ms"
)
env.cr.rollback()  # noqa: F821
