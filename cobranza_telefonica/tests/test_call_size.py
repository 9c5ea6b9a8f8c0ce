"""The call screen and the queue for customers with many open invoices: the oldest listed, the
rest summed up in one row, and a number of queries that does not grow with the invoices."""

from datetime import date, datetime, timedelta
from unittest.mock import patch

from freezegun import freeze_time

from odoo.tests import Form, tagged
from odoo.tools import SQL, format_amount

from ..services import rut
from .common import CobranzaCommon

NOW = datetime(2026, 3, 16, 14, 0)  # Monday 11:00 in Santiago (UTC-3)
MODELS = "odoo.addons.cobranza_telefonica.models"
WIZARDS = "odoo.addons.cobranza_telefonica.wizards"


@tagged("post_install", "-at_install")
@freeze_time(NOW)
class TestCallScreenSize(CobranzaCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company.partner_id.tz = "America/Santiago"
        # Six invoices, the oldest first: due 60, 50, ... 10 days ago.
        cls.invoices = cls.env["account.move"]
        for number in range(6):
            cls.invoices |= cls._invoice(
                cls.customer, 10000 * (number + 1), date(2026, 3, 16) - timedelta(days=60 - 10 * number)
            )

    def _activity(self, partner):
        return partner.activity_schedule(
            "cobranza_telefonica.mail_activity_type_cobranza_call",
            date_deadline=self.TODAY,
            user_id=self.collector.id,
        )

    def _open(self, activity):
        action = activity.with_user(self.collector).action_cobranza_start_call()
        return Form(
            self.env["cobranza.call.wizard"].with_user(self.collector).with_context(**action["context"])
        )

    def _residual_sql(self, moves):
        """What ``moves`` still owe, from their receivable journal items (independent of the ORM)."""
        self.env.flush_all()
        self.env.cr.execute(
            SQL(
                "SELECT COALESCE(SUM(l.amount_residual), 0) FROM account_move_line l "
                "JOIN account_account a ON a.id = l.account_id "
                "WHERE l.move_id = ANY(%s) AND a.account_type = 'asset_receivable'",
                moves.ids,
            )
        )
        return self.env.cr.fetchone()[0]

    def test_oldest_listed_and_the_rest_summed_up(self):
        """Past the limit, the context, the invoices discussed and the script list the oldest
        invoices and say how many more there are and what they owe; the promise is proposed on the
        oldest ones."""
        activity = self._activity(self.customer)
        with (
            patch(f"{MODELS}.account_move.CALL_INVOICE_ROWS", 2),
            patch(f"{WIZARDS}.cobranza_call_wizard.CALL_INVOICE_ROWS", 2),
            patch(f"{MODELS}.res_partner.SCRIPT_INVOICE_ITEMS", 3),
        ):
            form = self._open(activity)
            context, table = str(form.context_html), str(form.move_table_html)
            script = " ".join(str(line["text_html"]) for line in form.line_ids._records)
            promised = form.promise_move_ids.ids
        shown, rest = self.invoices[:2], self.invoices[2:]
        rest_amount = format_amount(self.env, self._residual_sql(rest), self.company.currency_id)
        self.assertEqual(rest_amount, format_amount(self.env, 180000, self.company.currency_id))
        for html in (context, table):
            for move in shown:
                self.assertIn(f">{move.l10n_latam_document_number}<", html)
            for move in rest:
                self.assertNotIn(f">{move.l10n_latam_document_number}<", html)
            self.assertIn("And 4 more documents", html)
            self.assertIn(rest_amount, html)
        self.assertIn("o_cobranza_open_invoices", context)
        self.assertIn("o_cobranza_discussed_invoices", table)
        for move in self.invoices[:3]:
            self.assertIn(f"{move.cobranza_dte_label}:", script)
        self.assertNotIn(f"{self.invoices[3].cobranza_dte_label}:", script)
        three_more = format_amount(self.env, self._residual_sql(self.invoices[3:]), self.company.currency_id)
        self.assertIn(f"and 3 more documents for {three_more}", script)
        self.assertEqual(promised, shown.ids)

    def test_all_listed_under_the_limit(self):
        form = self._open(self._activity(self.customer))
        for move in self.invoices:
            self.assertIn(f">{move.l10n_latam_document_number}<", str(form.context_html))
        self.assertNotIn("more documents", str(form.context_html))
        self.assertEqual(form.promise_move_ids.ids, self.invoices.ids)

    def _queries(self, function):
        self.env.flush_all()
        self.env.invalidate_all()
        before = self.env.cr.sql_log_count
        function()
        self.env.flush_all()
        return self.env.cr.sql_log_count - before

    def test_queries_do_not_grow_with_invoices(self):
        """Opening the call screen of a customer with 6 invoices and of one with 18 takes (within a
        query of a fetch split differently) the same number of queries: a query per invoice would
        add 12; refreshing a queue of 3 calls takes as many as a queue of 1 call."""
        activity = self._activity(self.customer)
        self._open(activity)  # once first: the oldest invoice's portal token, the views' caches
        few = self._queries(lambda: self._open(activity))
        for number in range(12):
            self._invoice(self.customer, 1000 * (number + 1), date(2026, 3, 1) + timedelta(days=number))
        many = self._queries(lambda: self._open(activity))
        self.assertLessEqual(many, few + 1)

        partners = [
            self._create_cl_partner(
                f"Cliente Cola {number} SpA", f"{77100000 + number}-{rut.check_digit(77100000 + number)}"
            )
            for number in range(4)
        ]
        for number, partner in enumerate(partners):
            self._invoice(partner, 5000 * (number + 1), date(2026, 2, 1) + timedelta(days=number))
        # Calls never refreshed: each refresh writes all its calls' figures (one UPDATE).
        one_call = self._activity(partners[0])
        three_calls = self._activity(partners[1]) | self._activity(partners[2]) | self._activity(partners[3])
        self.assertEqual(
            self._queries(lambda: three_calls._cobranza_refresh_queue()),
            self._queries(lambda: one_call._cobranza_refresh_queue()),
        )
        self.assertEqual(three_calls.mapped("cobranza_amount_overdue"), [10000, 15000, 20000])

    def test_open_invoices_of_a_customer_are_indexed(self):
        """The call screen's look-up of a customer's open invoices has an index of its own (Odoo
        does not index commercial_partner_id: on a large ledger each look-up read every invoice)."""
        self.env.cr.execute(
            SQL(
                "SELECT indexdef FROM pg_indexes WHERE tablename = 'account_move' AND indexname = %s",
                "account_move_cobranza_open_partner_index",
            )
        )
        (definition,) = self.env.cr.fetchone()
        self.assertIn("(commercial_partner_id, cobranza_oldest_due_date)", definition)
        self.assertIn("payment_state", definition)
