import io
from datetime import date, datetime, timedelta

import openpyxl
from freezegun import freeze_time

from odoo import Command
from odoo.exceptions import AccessError, ValidationError
from odoo.tests import tagged

from .. import post_init_hook
from ..services import kpi
from ..services.aging import BUCKET_KEYS
from .test_aging import AgingCommon


@tagged("post_install", "-at_install")
class TestOwnerNumbers(AgingCommon):
    """Issue 10, item 6: the dashboard, the aging, the trend and the Excel agree, per company and
    in each company's currency, with days decided in the company's calendar."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        company_data_2 = cls.setup_other_company(name="Exportadora Austral SpA", currency_id=cls.usd.id)
        cls.company_2 = company_data_2["company"]
        cls.sale_journal_2 = company_data_2["default_journal_sale"]
        cls.manager_2 = cls._create_user(
            "test_manager_two_companies", "cobranza_telefonica.group_cobranza_manager"
        )
        cls.manager_2.company_ids = [Command.link(cls.company_2.id)]
        # Live lines in several buckets, around the company's local day (the live view ages on it).
        cls.db_today = cls.company._cobranza_today()
        cls.live_1_30 = cls._invoice(cls.customer, 110000, cls.db_today - timedelta(days=10))
        cls.live_31_60 = cls._invoice(cls.customer_b, 120000, cls.db_today - timedelta(days=45))
        cls.live_not_due = cls._invoice(
            cls.customer_b, 130000, cls.db_today + timedelta(days=20), cls.db_today
        )
        # Company 2 keeps its books in USD: the same customer owes it 1,234.56 USD.
        cls.inv_company_2 = cls._invoice_company_2(cls.customer, 1234.56, date(2026, 2, 20))

    @classmethod
    def _invoice_company_2(cls, partner, amount, due, invoice_date=None):
        move = (
            cls.env["account.move"]
            .with_company(cls.company_2)
            .create(
                {
                    "move_type": "out_invoice",
                    "partner_id": partner.id,
                    "journal_id": cls.sale_journal_2.id,
                    "l10n_latam_document_type_id": cls.doc_types["33"].id,
                    "invoice_date": invoice_date or due - timedelta(days=30),
                    "invoice_date_due": due,
                    "invoice_payment_term_id": False,
                    "invoice_line_ids": [
                        Command.create({"name": "Export", "quantity": 1, "price_unit": amount, "tax_ids": []})
                    ],
                }
            )
        )
        move.action_post()
        return move

    def _open_receivable(self, company):
        """Independent total of what ``company`` is owed, in its currency: the residual of every
        receivable journal item of a posted entry, whatever its date."""
        lines = self.env["account.move.line"].search(
            [
                ("company_id", "=", company.id),
                ("account_id.account_type", "=", "asset_receivable"),
                ("parent_state", "=", "posted"),
            ]
        )
        return company.currency_id.round(sum(lines.mapped("amount_residual")))

    def _aging_totals(self, company):
        [(residual, overdue)] = self.env["cobranza.aging.report"]._read_group(
            [("company_id", "=", company.id)], aggregates=["residual:sum", "amount_overdue:sum"]
        )
        return residual, overdue

    # ------------------------------------------------------------------ one receivable figure

    def test_live_dashboard_is_the_aging(self):
        """Today the dashboard shows the aging's own totals, a document dated after today included
        (the demo's 9 post-dated documents made the two totals differ by 11 million pesos)."""
        today = self.company._cobranza_today()
        future = self._invoice(self.customer, 90000, today + timedelta(days=35), today + timedelta(days=5))
        board = self.env["cobranza.dashboard"].with_user(self.manager).create({"company_id": self.company.id})
        self.assertEqual(board.date, today)
        residual, overdue = self._aging_totals(self.company)
        self.assertEqual(board.total_receivable, residual)
        self.assertEqual(board.total_overdue, overdue)
        self.assertEqual(board.total_receivable, self._open_receivable(self.company))
        self.assertIn(future, self.env["cobranza.aging.report"].search([]).move_id)
        # An earlier day reads the as-of engine: the post-dated invoice was not there yet.
        yesterday = today - timedelta(days=1)
        past = self.env["cobranza.dashboard"].create({"company_id": self.company.id, "date": yesterday})
        expected = self._expected_aging(yesterday)
        self.assertEqual(past.total_receivable, sum(row[2] for row in expected.values()))
        self.assertEqual(past.total_overdue, sum(row[2] for row in expected.values() if row[1] != "not_due"))
        with self.assertRaises(ValidationError):
            self.env["cobranza.dashboard"].create(
                {"company_id": self.company.id, "date": today + timedelta(days=1)}
            )

    def test_dashboard_follows_company_switcher(self):
        """The dashboard opens on the company selected in the switcher and shows it in its own
        currency; a company outside the switcher cannot be shown."""
        Board = self.env["cobranza.dashboard"].with_user(self.manager_2)
        action = Board.with_context(
            allowed_company_ids=[self.company_2.id, self.company.id]
        ).action_open_dashboard()
        board = Board.with_context(allowed_company_ids=[self.company_2.id, self.company.id]).browse(
            action["res_id"]
        )
        self.assertEqual(board.company_id, self.company_2)
        self.assertEqual(board.currency_id, self.usd)
        residual, overdue = self._aging_totals(self.company_2)
        self.assertEqual((board.total_receivable, board.total_overdue), (residual, overdue))
        self.assertAlmostEqual(board.total_receivable, 1234.56, places=2)
        self.assertEqual(self._open_receivable(self.company_2), residual)
        clp_board = Board.with_context(allowed_company_ids=[self.company.id]).create({})
        self.assertEqual(clp_board.company_id, self.company)
        self.assertEqual(clp_board.total_receivable, self._open_receivable(self.company))
        self.assertEqual(clp_board.action_open_aging()["domain"], [("company_id", "=", self.company.id)])
        with self.assertRaises(AccessError):
            Board.with_context(allowed_company_ids=[self.company.id]).create(
                {"company_id": self.company_2.id}
            )

    # ------------------------------------------------------------------ one day

    def test_calls_counted_by_the_company_day_at_2330(self):
        """At 23:30 in Santiago (02:30 UTC the next day) today's and this week's calls are those of
        the company's local Monday, not of the UTC date."""
        Call = self.env["cobranza.call"].sudo()
        values = {"company_id": self.company.id, "user_id": self.collector.id, "partner_id": self.customer.id}
        Call.create(
            [
                # Monday 2026-03-16 23:00 in Santiago: today (its UTC date is already the 17th).
                {**values, "contact_result": "debtor", "date_start": datetime(2026, 3, 17, 2, 0)},
                # Monday 09:00 in Santiago.
                {**values, "contact_result": "no_answer", "date_start": datetime(2026, 3, 16, 12, 0)},
                # Sunday 2026-03-15 23:00 in Santiago: last week (its UTC date is Monday the 16th).
                {**values, "contact_result": "busy", "date_start": datetime(2026, 3, 16, 2, 0)},
            ]
        )
        with freeze_time("2026-03-17 02:30:00"):
            self._pay(self.inv1, 50000, date(2026, 3, 16))  # the day of the 23:00 call
            board = self.env["cobranza.dashboard"].create({"company_id": self.company.id})
            self.assertEqual(board.date, date(2026, 3, 16))
            self.assertEqual(board.calls_today, 2)
            self.assertEqual(board.calls_week, 2)
            self.assertAlmostEqual(board.contact_rate, 100.0 / 3, places=1)
            # The 23:00 call reached the debtor on the day of the payment (not the day after).
            self.assertEqual(board.amount_collected_after_call, 50000)
            action = board.action_open_calls_per_collector()
            self.assertEqual(self.env["cobranza.call"].search_count(action["domain"]), 2)

    def test_trend_filled_from_the_as_of_engine(self):
        """On install the trend gets the 12 previous month ends, each equal to an independent
        computation of what was open that day; filling again adds nothing."""
        Snapshot = self.env["cobranza.aging.snapshot"]
        with freeze_time(self.at_noon(date(2026, 3, 16))):
            created = Snapshot._cobranza_fill_trend(self.company)
        month_ends = [
            date(2025, 3, 31),
            date(2025, 4, 30),
            date(2025, 5, 31),
            date(2025, 6, 30),
            date(2025, 7, 31),
            date(2025, 8, 31),
            date(2025, 9, 30),
            date(2025, 10, 31),
            date(2025, 11, 30),
            date(2025, 12, 31),
            date(2026, 1, 31),
            date(2026, 2, 28),
        ]
        self.assertEqual(sorted(created.mapped("date")), month_ends)
        self.assertEqual(created.company_id, self.company)
        for snapshot in created:
            with self.subTest(date=snapshot.date):
                expected = self._expected_aging(snapshot.date).values()
                self.assertEqual(snapshot.residual, sum(row[2] for row in expected))
                self.assertEqual(
                    snapshot.amount_overdue, sum(row[2] for row in expected if row[1] != "not_due")
                )
                for key in BUCKET_KEYS:
                    self.assertEqual(
                        snapshot[f"amount_{key}"], sum(row[2] for row in expected if row[1] == key)
                    )
        by_date = {snapshot.date: snapshot for snapshot in created}
        # 2026-01-31: inv1 1,000,000 + inv2 500,000 + inv3 300,000 + 100 USD at 900 = 1,890,000,
        # of which inv1 (due 2026-01-10) and inv3 (due 2025-10-01) are overdue.
        self.assertEqual(by_date[date(2026, 1, 31)].residual, 1890000)
        self.assertEqual(by_date[date(2026, 1, 31)].amount_overdue, 1300000)
        self.assertEqual(by_date[date(2025, 3, 31)].residual, 0, "nothing was invoiced yet")
        with freeze_time(self.at_noon(date(2026, 3, 16))):
            self.assertFalse(Snapshot._cobranza_fill_trend(self.company))
            by_date[date(2026, 1, 31)].unlink()
            again = Snapshot._cobranza_fill_trend(self.company)
        self.assertEqual(again.mapped("date"), [date(2026, 1, 31)])
        self.assertEqual(again.residual, 1890000)
        self.assertEqual(Snapshot.search_count([("company_id", "=", self.company.id)]), 12)

    def test_install_hook_fills_every_company_once(self):
        """The install hook gives every company the 12 month ends before its today (done at install;
        calling it again adds nothing)."""
        post_init_hook(self.env)
        Snapshot = self.env["cobranza.aging.snapshot"].sudo()  # every company's, not the switcher's
        companies = self.env["res.company"].sudo().search([])
        for company in companies:
            wanted = kpi.month_ends_before(company._cobranza_today(), 12)
            dates = Snapshot.search([("company_id", "=", company.id), ("date", "in", wanted)]).mapped("date")
            self.assertEqual(sorted(dates), wanted, company.name)
        count = Snapshot.search_count([])
        post_init_hook(self.env)
        self.assertEqual(Snapshot.search_count([]), count)

    def test_snapshot_dated_in_the_company_day(self):
        """At 22:00 on 31 March in Santiago (1 April in UTC) March is not over yet."""
        Snapshot = self.env["cobranza.aging.snapshot"]
        with freeze_time("2026-04-01 01:00:00"):
            self.assertEqual(Snapshot._cron_take_snapshots(self.company).date, date(2026, 2, 28))
        with freeze_time("2026-04-01 04:00:00"):  # 01:00 on 1 April in Santiago
            march = Snapshot._cron_take_snapshots(self.company)
        self.assertEqual(march.date, date(2026, 3, 31))
        expected = self._expected_aging(date(2026, 3, 31)).values()
        self.assertEqual(march.residual, sum(row[2] for row in expected))

    # ------------------------------------------------------------------ buckets in order

    def test_buckets_group_in_their_order(self):
        """Pivot columns, graph bars and grouped lists come Not yet due, 1-30 ... Over 120 days,
        not in the alphabetical order of the keys."""
        report = self.env["cobranza.aging.report"]
        domain = [("company_id", "=", self.company.id)]
        groups = report.read_group(domain, ["residual:sum"], ["bucket"], lazy=False)
        keys = [group["bucket"] for group in groups]
        self.assertEqual(keys, [key for key in BUCKET_KEYS if key in keys])
        self.assertTrue({"not_due", "1_30", "31_60", "over_120"} <= set(keys))
        descending = report.read_group(
            domain, ["residual:sum"], ["bucket"], orderby="bucket desc", lazy=False
        )
        self.assertEqual([group["bucket"] for group in descending], keys[::-1])
        # The pivot's cells (customer x bucket) and the graph's bars (bucket x collector).
        for groupby in (["partner_id", "bucket"], ["bucket", "collector_id"]):
            cells = report.read_group(domain, ["residual:sum"], groupby, lazy=False)
            by_partner = {}
            for cell in cells:
                by_partner.setdefault(cell.get("partner_id"), []).append(cell["bucket"])
            for buckets in by_partner.values():
                ordered = list(dict.fromkeys(buckets))
                self.assertEqual(ordered, [key for key in BUCKET_KEYS if key in ordered])
        listed = report.web_read_group(domain, ["residual:sum"], ["bucket"])
        self.assertEqual([group["bucket"] for group in listed["groups"]], keys)
        # The lines as of a date too.
        rows = self._as_of(date(2026, 3, 16))
        as_of_groups = self.env["cobranza.aging.as.of.line"].read_group(
            [("id", "in", rows.ids)], ["residual:sum"], ["bucket"], lazy=False
        )
        as_of_keys = [group["bucket"] for group in as_of_groups]
        self.assertEqual(as_of_keys, [key for key in BUCKET_KEYS if key in as_of_keys])
        self.assertGreater(len(as_of_keys), 1)

    # ------------------------------------------------------------------ pesos without decimals

    def test_pesos_without_decimals(self):
        """CLP has no decimals: the aging's company-currency amounts carry the currency's digits
        (the pivot and the graph format measures with them), dollars keep two."""
        self.assertEqual(self.currency.name, "CLP")
        self.assertEqual(self.currency.decimal_places, 0)
        report = self.env["cobranza.aging.report"].with_context(allowed_company_ids=[self.company.id])
        description = report.fields_get(
            ["residual", "amount_over_120", "residual_currency"], ["digits", "type"]
        )
        self.assertEqual(description["residual"]["digits"], [16, 0])
        self.assertEqual(description["amount_over_120"]["digits"], [16, 0])
        self.assertNotIn("digits", description["residual_currency"], "in each line's own currency")
        in_usd = report.with_context(allowed_company_ids=[self.company_2.id]).fields_get(
            ["residual"], ["digits"]
        )
        self.assertEqual(in_usd["residual"]["digits"], [16, 2])
        lines = self.env["cobranza.aging.as.of.line"].with_context(allowed_company_ids=[self.company.id])
        self.assertEqual(lines.fields_get(["residual"], ["digits"])["residual"]["digits"], [16, 0])

    # ------------------------------------------------------------------ the Excel

    def _workbook(self, companies):
        content = (
            self.env["cobranza.aging.xlsx"]
            .with_context(allowed_company_ids=companies.ids)
            ._xlsx_by_customer()
        )
        formulas = openpyxl.load_workbook(io.BytesIO(content)).active
        values = openpyxl.load_workbook(io.BytesIO(content), data_only=True).active
        return formulas, values

    def test_xlsx_follows_switcher_and_never_adds_currencies(self):
        formulas, values = self._workbook(self.company)
        rows = list(values.iter_rows(values_only=True))
        self.assertEqual(
            rows[0],
            (
                "Customer",
                "RUT",
                "Company",
                "Currency",
                "Not yet due",
                "1-30 days",
                "31-60 days",
                "61-90 days",
                "91-120 days",
                "Over 120 days",
                "Total",
            ),
        )
        data, totals = rows[1:-1], rows[-1:]
        self.assertEqual({row[2] for row in data}, {self.company.name}, "only the switcher's company")
        self.assertEqual([row[0] for row in totals], ["Total CLP"])
        self.assertEqual(totals[0][-1], self._open_receivable(self.company))
        for row in data:
            self.assertEqual(sum(row[4:10]), row[10])
        self.assertEqual(
            formulas.cell(row=len(rows), column=11).value,
            f"=SUMIF($D$2:$D${len(rows) - 1},D{len(rows)},K$2:K${len(rows) - 1})",
        )
        self.assertEqual(formulas.cell(row=2, column=11).number_format, "#,##0")

        # Both companies: one block and one total row per currency, never CLP + USD.
        formulas, values = self._workbook(self.company | self.company_2)
        rows = list(values.iter_rows(values_only=True))
        data = [row for row in rows[1:] if not str(row[0]).startswith("Total ")]
        totals = {row[3]: row for row in rows[1:] if str(row[0]).startswith("Total ")}
        self.assertEqual(set(totals), {"CLP", "USD"})
        self.assertEqual(totals["CLP"][-1], self._open_receivable(self.company))
        self.assertAlmostEqual(totals["USD"][-1], self._open_receivable(self.company_2), places=2)
        self.assertAlmostEqual(totals["USD"][-1], 1234.56, places=2)
        self.assertEqual({row[3] for row in data if row[2] == self.company_2.name}, {"USD"})
        self.assertEqual({row[3] for row in data if row[2] == self.company.name}, {"CLP"})
        for currency, total in totals.items():
            for column in range(4, 11):
                self.assertAlmostEqual(
                    total[column], sum(row[column] for row in data if row[3] == currency), places=2
                )
        usd_row = next(index for index, row in enumerate(rows, start=1) if row[2] == self.company_2.name)
        self.assertEqual(formulas.cell(row=usd_row, column=11).number_format, "#,##0.00")
