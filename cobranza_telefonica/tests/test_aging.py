from datetime import date, datetime, time, timedelta

import pytz
from freezegun import freeze_time

from odoo import Command
from odoo.exceptions import AccessError, UserError
from odoo.tests import tagged
from odoo.tools import SQL

from ..models.res_partner import to_utc
from ..services import clock
from ..services.aging import BUCKET_KEYS, bucket_for_date
from .common import CobranzaCommon


class AgingCommon(CobranzaCommon):
    """A small ledger with fixed dates: partial payments, a credit note, a fully paid invoice,
    a USD invoice paid in part at another rate, a draft and a cancelled invoice."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.customer.with_company(cls.company).cobranza_collector_id = cls.collector
        cls.usd = cls.setup_other_currency(
            "USD", rates=[("2025-01-01", 1 / 900.0), ("2026-03-01", 1 / 1000.0)]
        )
        cls.inv1 = cls._invoice(cls.customer, 1000000, date(2026, 1, 10))
        cls._pay(cls.inv1, 400000, date(2026, 2, 5))
        cls.inv2 = cls._invoice(cls.customer, 500000, date(2026, 2, 28))
        cls.refund = cls._credit_note(cls.inv2, 200000, date(2026, 3, 5))
        cls.inv3 = cls._invoice(cls.customer_b, 300000, date(2025, 10, 1))
        cls._pay(cls.inv3, 300000, date(2026, 3, 10))
        cls.inv_usd = cls._usd_invoice(cls.customer, 100.0, date(2026, 1, 15), date(2026, 2, 14))
        cls._pay(cls.inv_usd, 40.0, date(2026, 3, 2))
        cls.draft = cls._invoice(cls.customer, 777000, date(2026, 1, 20), post=False)
        cls.cancelled = cls._invoice(cls.customer_b, 888000, date(2026, 1, 20))
        cls.cancelled.button_draft()
        cls.cancelled.button_cancel()

    @classmethod
    def _usd_invoice(cls, partner, amount, invoice_date, due):
        move = cls.env["account.move"].create(
            {
                "move_type": "out_invoice",
                "partner_id": partner.id,
                "journal_id": cls.sale_journal.id,
                "currency_id": cls.usd.id,
                "l10n_latam_document_type_id": cls.doc_types["34"].id,
                "invoice_date": invoice_date,
                "invoice_date_due": due,
                "invoice_payment_term_id": False,
                "invoice_line_ids": [
                    Command.create({"name": "Export", "quantity": 1, "price_unit": amount, "tax_ids": []})
                ],
            }
        )
        move.action_post()
        return move

    def _expected_aging(self, as_of):
        """Independent aging in plain Python: every posted receivable item dated up to ``as_of``,
        less the reconciliations whose two matched items are both dated up to ``as_of``.
        Returns {move line id: (partner, bucket, residual, residual in currency, currency)}."""
        lines = self.env["account.move.line"].search(
            [
                ("company_id", "=", self.company.id),
                ("account_id.account_type", "=", "asset_receivable"),
                ("date", "<=", as_of),
            ]
        )
        result = {}
        for line in lines:
            if line.move_id.state != "posted":
                continue
            residual, residual_currency = line.balance, line.amount_currency
            for part in line.matched_credit_ids:
                if max(part.debit_move_id.date, part.credit_move_id.date) <= as_of:
                    residual -= part.amount
                    residual_currency -= part.debit_amount_currency
            for part in line.matched_debit_ids:
                if max(part.debit_move_id.date, part.credit_move_id.date) <= as_of:
                    residual += part.amount
                    residual_currency += part.credit_amount_currency
            residual = self.currency.round(residual)
            residual_currency = line.currency_id.round(residual_currency)
            if self.currency.is_zero(residual) and line.currency_id.is_zero(residual_currency):
                continue
            due = line.date_maturity or line.date
            result[line.id] = (
                line.partner_id.commercial_partner_id,
                bucket_for_date(due, as_of),
                residual,
                residual_currency,
                line.currency_id,
            )
        return result

    def _rows(self, records):
        return {
            row.move_line_id.id: (
                row.partner_id,
                row.bucket,
                row.residual,
                row.residual_currency,
                row.currency_id,
            )
            for row in records
        }

    def _as_of(self, as_of, user=None):
        env = self.env(user=user) if user else self.env
        wizard = env["cobranza.aging.as.of"].create({"as_of_date": as_of, "company_id": self.company.id})
        action = wizard.action_open()
        return env["cobranza.aging.as.of.line"].search(action["domain"])


@tagged("post_install", "-at_install")
class TestAgingAsOf(AgingCommon):
    @freeze_time("2026-03-16 15:00:00")
    def test_as_of_dates_match_independent_computation(self):
        for as_of in (
            date(2025, 12, 1),
            date(2026, 1, 31),
            date(2026, 2, 5),
            date(2026, 2, 28),
            date(2026, 3, 4),
            date(2026, 3, 16),
        ):
            with self.subTest(as_of=as_of):
                rows = self._as_of(as_of)
                self.assertEqual(self._rows(rows), self._expected_aging(as_of))
                for row in rows:
                    self.assertEqual(row.days_overdue, (as_of - row.date_due).days)
                    self.assertEqual(row[f"amount_{row.bucket}"], row.residual)
                    # Unapplied credits lower the balance but are never overdue.
                    self.assertEqual(row.is_credit, row.move_line_id.balance < 0)
                    overdue = row.residual if row.days_overdue > 0 and not row.is_credit else 0
                    self.assertEqual(row.amount_overdue, overdue)
                    self.assertEqual(row.amount_credit, row.residual if row.is_credit else 0)

    @freeze_time("2026-03-16 15:00:00")
    def test_as_of_figures(self):
        """The figures an owner would check by hand at each month end."""
        rows = self._as_of(date(2025, 12, 1))
        self.assertEqual(rows.move_id, self.inv3)
        self.assertEqual((rows.bucket, rows.residual, rows.days_overdue), ("61_90", 300000, 61))

        rows = self._as_of(date(2026, 1, 31))
        by_move = {row.move_id: row for row in rows}
        self.assertEqual(set(by_move), {self.inv1, self.inv2, self.inv3, self.inv_usd})
        self.assertEqual((by_move[self.inv1].bucket, by_move[self.inv1].residual), ("1_30", 1000000))
        self.assertEqual((by_move[self.inv2].bucket, by_move[self.inv2].residual), ("not_due", 500000))
        self.assertEqual((by_move[self.inv3].bucket, by_move[self.inv3].residual), ("over_120", 300000))
        usd = by_move[self.inv_usd]
        self.assertEqual((usd.currency_id, usd.residual_currency, usd.residual), (self.usd, 100.0, 90000))

        rows = self._as_of(date(2026, 2, 28))
        by_move = {row.move_id: row for row in rows}
        self.assertEqual((by_move[self.inv1].bucket, by_move[self.inv1].residual), ("31_60", 600000))
        self.assertEqual(by_move[self.inv2].residual, 500000)

        rows = self._as_of(date(2026, 3, 16))
        by_move = {row.move_id: row for row in rows}
        self.assertNotIn(self.inv3, by_move, "fully paid on 2026-03-10")
        self.assertEqual(by_move[self.inv2].residual, 300000, "credit note of 200,000 on 2026-03-05")
        self.assertEqual(by_move[self.inv_usd].residual_currency, 60.0)
        self.assertEqual(by_move[self.inv_usd].residual, 54000, "60 USD at the invoice's rate")
        self.assertNotIn(self.draft, rows.move_id)
        self.assertNotIn(self.cancelled, rows.move_id)
        # Grouped by customer and currency: CLP and USD of the same customer apart.
        groups = self.env["cobranza.aging.as.of.line"].read_group(
            [("id", "in", rows.ids)],
            ["residual:sum", "residual_currency:sum"],
            ["partner_id", "currency_id"],
            lazy=False,
        )
        totals = {(g["partner_id"][0], g["currency_id"][0]): g["residual_currency"] for g in groups}
        self.assertEqual(totals[(self.customer.id, self.usd.id)], 60.0)
        self.assertEqual(totals[(self.customer.id, self.currency.id)], 900000)

    @freeze_time("2026-03-16 15:00:00")
    def test_future_date_refused(self):
        with self.assertRaisesRegex(UserError, "future"):
            self.env["cobranza.aging.as.of"].create({"as_of_date": date(2026, 3, 17)})
        wizard = self.env["cobranza.aging.as.of"].create({"as_of_date": date(2026, 3, 16)})
        self.assertTrue(wizard._compute_lines())
        # Running twice gives the same lines, not twice as many.
        count = len(wizard.line_ids)
        wizard._compute_lines()
        self.assertEqual(len(wizard.line_ids), count)

    @freeze_time("2026-03-16 15:00:00")
    def test_collector_sees_own_lines(self):
        rows = self._as_of(date(2026, 3, 16), user=self.collector)
        self.assertTrue(rows)
        self.assertEqual(rows.partner_id, self.customer)
        rows = self._as_of(date(2026, 1, 31), user=self.manager)
        self.assertEqual(rows.partner_id, self.customer | self.customer_b)
        rows = self._as_of(date(2026, 1, 31), user=self.collector)
        self.assertEqual(rows.partner_id, self.customer)
        with self.assertRaises(AccessError):
            self._as_of(date(2026, 3, 16), user=self.plain_user)


@tagged("post_install", "-at_install")
class TestAgingReport(AgingCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        # The view ages on the company's local today, read from the module's clock: 23:30 in
        # Santiago (already tomorrow in UTC and for the database's CURRENT_DATE).
        cls.db_today = today = date(2026, 11, 30)  # after every dated fixture of AgingCommon
        cls.moment = to_utc(datetime.combine(today, time(23, 30)), pytz.timezone("America/Santiago"))
        cls.live_overdue = cls._invoice(cls.customer, 120000, today - timedelta(days=45))
        cls.live_not_due = cls._invoice(cls.customer_b, 80000, today + timedelta(days=10), today)
        cls.live_old = cls._invoice(cls.customer_b, 70000, today - timedelta(days=200))
        cls._pay(cls.live_old, 20000, today - timedelta(days=5))

    def setUp(self):
        super().setUp()
        frozen = clock.frozen_at(self.moment)
        frozen.__enter__()
        self.addCleanup(frozen.__exit__, None, None, None)

    def test_view_matches_independent_computation(self):
        """The live view ages on the company's local today (not the database's UTC date)."""
        report = self.env["cobranza.aging.report"].search([("company_id", "=", self.company.id)])
        self.assertEqual(self._rows(report), self._expected_aging(self.db_today))
        by_move = {row.move_id: row for row in report}
        self.assertEqual(
            (by_move[self.live_overdue].bucket, by_move[self.live_overdue].days_overdue), ("31_60", 45)
        )
        self.assertEqual(by_move[self.live_not_due].bucket, "not_due")
        self.assertEqual(by_move[self.live_old].amount_over_120, 50000)
        self.assertNotIn(self.draft, report.move_id)
        self.assertNotIn(self.cancelled, report.move_id)
        self.assertNotIn(self.inv3, report.move_id)

    def test_totals_by_customer_do_not_age(self):
        """Totals by customer read no day: PostgreSQL leaves the companies' day out of the plan
        (the one-row-per-company join is provably unique), while the buckets still read it."""

        def plan(column):
            self.env.cr.execute(
                SQL(
                    "EXPLAIN SELECT %s, SUM(residual) FROM cobranza_aging_report GROUP BY 1",
                    SQL.identifier(column),
                )
            )
            return "\n".join(row[0] for row in self.env.cr.fetchall())

        self.assertNotIn("res_company", plan("partner_id"))
        self.assertIn("res_company", plan("bucket"))

    def test_buckets_as_columns(self):
        """Every bucket has its column, and the columns add up to the residual."""
        report = self.env["cobranza.aging.report"]
        for key in BUCKET_KEYS:
            self.assertIn(f"amount_{key}", report._fields)
        groups = report.read_group(
            [("company_id", "=", self.company.id), ("currency_id", "=", self.currency.id)],
            ["residual:sum"] + [f"amount_{key}:sum" for key in BUCKET_KEYS],
            ["partner_id"],
        )
        self.assertEqual(len(groups), 2)
        for group in groups:
            self.assertEqual(sum(group[f"amount_{key}"] for key in BUCKET_KEYS), group["residual"])
        by_bucket = report.read_group([("company_id", "=", self.company.id)], ["residual:sum"], ["bucket"])
        total = sum(group["residual"] for group in by_bucket)
        self.assertEqual(total, sum(row[2] for row in self._expected_aging(self.db_today).values()))

    def test_access(self):
        report = self.env["cobranza.aging.report"]
        mine = report.with_user(self.collector).search([])
        self.assertTrue(mine)
        self.assertEqual(mine.collector_id, self.collector)
        everything = report.with_user(self.manager).search([("company_id", "=", self.company.id)])
        self.assertGreater(len(everything), len(mine))
        with self.assertRaises(AccessError):
            report.with_user(self.plain_user).search([])

    def test_reporting_menus(self):
        """Collectors find the aging; only managers (and owners) the dashboard and the trend."""
        menus = self.env["ir.ui.menu"]
        aging = self.env.ref("cobranza_telefonica.menu_cobranza_aging_report")
        dashboard = self.env.ref("cobranza_telefonica.menu_cobranza_dashboard")
        trend = self.env.ref("cobranza_telefonica.menu_cobranza_aging_snapshot")
        collector_menus = menus.with_user(self.collector)._visible_menu_ids()
        manager_menus = menus.with_user(self.manager)._visible_menu_ids()
        self.assertIn(aging.id, collector_menus)
        self.assertNotIn(dashboard.id, collector_menus)
        self.assertNotIn(trend.id, collector_menus)
        self.assertTrue({aging.id, dashboard.id, trend.id} <= set(manager_menus))
        self.assertNotIn(aging.id, menus.with_user(self.plain_user)._visible_menu_ids())
