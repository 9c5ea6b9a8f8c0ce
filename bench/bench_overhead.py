# ruff: noqa: F821 (runs in an Odoo shell, which defines `env`)
"""What the module costs the accountant's everyday work: posting 200 invoices, and registering
and reconciling 200 payments (one per invoice, through the payment register), in a database with
the module and in one with the same Chilean chart without it (scripts/bench.sh makes
`cobranza_bench_base`), in interleaved rounds in this one process; the payments once more with an
open promise to pay on every invoice (the reconciliation hook then decides 200 promises).
Each round is rolled back. Run: BENCH=overhead make bench. BENCH_OVERHEAD_RUNS (default 3) rounds."""

import os
import statistics
import time
from datetime import timedelta

import benchlib

from odoo import SUPERUSER_ID, Command, api, fields
from odoo.modules.registry import Registry

N_INVOICES = 200
N_CUSTOMERS = 20
RUNS = int(os.environ.get("BENCH_OVERHEAD_RUNS", "3"))
COMPANY_NAME = "Bench Overhead SpA"


def setup(env):
    """The benchmark's company (l10n_cl chart, 19 % VAT) and customers, made once and committed."""
    company = env["res.company"].search([("name", "=", COMPANY_NAME)], limit=1)
    if not company:
        company = env["res.company"].create(
            {"name": COMPANY_NAME, "country_id": env.ref("base.cl").id, "currency_id": env.ref("base.CLP").id}
        )
        env["account.chart.template"].try_loading("cl", company=company, install_demo=False)
        company.partner_id.tz = "America/Santiago"
    env.user.company_ids |= company
    customers = env["res.partner"].search([("ref", "=like", "BENCH-OH-%")], order="id")
    if len(customers) < N_CUSTOMERS:
        customers = env["res.partner"].create(
            [
                {"name": f"Cliente Overhead {i}", "ref": f"BENCH-OH-{i}", "is_company": True}
                | benchlib.chilean_taxpayer(env, 5000 + i)
                for i in range(N_CUSTOMERS)
            ]
        )
    env.cr.commit()
    return company, customers


def one_round(env, company, customers, promises=False):
    """Seconds to post 200 invoices and to pay them, then everything rolled back."""
    env = env(context={"allowed_company_ids": company.ids, "tracking_disable": True})
    journal = env["account.journal"].search([("company_id", "=", company.id), ("type", "=", "sale")], limit=1)
    tax = env["account.tax"].search(
        [("company_id", "=", company.id), ("type_tax_use", "=", "sale"), ("amount", "=", 19)], limit=1
    )
    today = fields.Date.context_today(env.user)
    moves = env["account.move"].create(
        [
            {
                "move_type": "out_invoice",
                "partner_id": customers[i % len(customers)].id,
                "journal_id": journal.id,
                "l10n_latam_document_type_id": env.ref("l10n_cl.dc_a_f_dte").id,
                "invoice_date": today - timedelta(days=40),
                "invoice_date_due": today - timedelta(days=10),
                "invoice_line_ids": [
                    Command.create(
                        {"name": "Servicio", "quantity": 1, "price_unit": 100000 + i, "tax_ids": tax.ids}
                    )
                ],
            }
            for i in range(N_INVOICES)
        ]
    )
    env.flush_all()
    start = time.perf_counter()
    moves.action_post()
    env.flush_all()
    posting = time.perf_counter() - start
    if promises:
        env["cobranza.promise"].create(
            [
                {
                    "partner_id": move.partner_id.id,
                    "company_id": company.id,
                    "date": today + timedelta(days=5),
                    "line_ids": [Command.create({"move_id": move.id, "amount": move.amount_residual})],
                }
                for move in moves
            ]
        )
        env.flush_all()
    start = time.perf_counter()
    wizard = (
        env["account.payment.register"]
        .with_context(active_model="account.move", active_ids=moves.ids)
        .create({"payment_date": today, "group_payment": False})
    )
    wizard._create_payments()
    env.flush_all()
    paying = time.perf_counter() - start
    paid = all(move.payment_state in ("paid", "in_payment") for move in moves)
    kept = env["cobranza.promise"].search_count([("state", "=", "kept")]) if promises else None
    env.cr.rollback()
    env.invalidate_all()
    if not paid:
        raise RuntimeError("the payments did not reconcile every invoice")
    return posting, paying, kept


base_db = os.environ.get("COBRANZA_BENCH_BASE_DB", f"{env.cr.dbname}_base")
with Registry(base_db).cursor() as base_cr:
    base_env = api.Environment(base_cr, SUPERUSER_ID, {})
    if "cobranza.promise" in base_env:
        raise RuntimeError(f"{base_db} has the module installed: it must be the chart without it")
    sides = {
        "without the module": (base_env, *setup(base_env), False),
        "with the module": (env, *setup(env), False),
        "with the module, open promises": (env, *setup(env), True),
    }
    figures = {label: ([], []) for label in sides}
    for round_number in range(RUNS + 1):
        for label, (side_env, company, customers, promises) in sides.items():
            posting, paying, kept = one_round(side_env, company, customers, promises)
            if round_number:
                figures[label][0].append(posting)
                figures[label][1].append(paying)
            print(
                f"  {label}: posting {posting:.2f} s, payments {paying:.2f} s"
                + (f", {kept} promises kept" if promises else ""),
                flush=True,
            )

base_post, base_pay = (statistics.median(times) for times in figures["without the module"])
for label in ("with the module", "with the module, open promises"):
    post, pay = (statistics.median(times) for times in figures[label])
    print(
        f"{label}: posting {post:.2f} s ({post / base_post:.2f}x), "
        f"payments {pay:.2f} s ({pay / base_pay:.2f}x)"
    )
    benchlib.target(
        f"200 payments registered and reconciled, {label} / without",
        f"{pay / base_pay:.2f}x (median {pay:.2f} s / {base_pay:.2f} s, {RUNS} rounds)",
        "<= 1.03x",
        pay / base_pay <= 1.03,
    )
post = statistics.median(figures["with the module"][0])
benchlib.target(
    "posting 200 invoices, with the module / without",
    f"{post / base_post:.2f}x (median {post:.2f} s / {base_post:.2f} s, {RUNS} rounds)",
    "<= 1.03x",
    post / base_post <= 1.03,
)
