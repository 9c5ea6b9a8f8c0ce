from datetime import timedelta

from odoo import Command
from odoo.exceptions import AccessError
from odoo.tests import tagged

from .common import CobranzaCommon


@tagged("post_install", "-at_install")
class TestCobranzaGroups(CobranzaCommon):
    """Collectors read accounting and edit customers' contact details; they do not bill."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.invoice = cls._invoice(cls.customer, 120000, cls.TODAY - timedelta(days=10))
        cls.call_type = cls.env.ref("cobranza_telefonica.mail_activity_type_cobranza_call")

    def _draft_vals(self):
        return {
            "move_type": "out_invoice",
            "partner_id": self.customer.id,
            "journal_id": self.sale_journal.id,
            "l10n_latam_document_type_id": self.doc_types["33"].id,
            "invoice_date": self.TODAY,
            "invoice_line_ids": [
                Command.create({"name": "Servicio", "quantity": 1, "price_unit": 1000, "tax_ids": []})
            ],
        }

    def test_collector_groups(self):
        collector = self.env.ref("cobranza_telefonica.group_cobranza_collector")
        self.assertIn(self.env.ref("account.group_account_readonly"), collector.implied_ids)
        self.assertIn(self.env.ref("base.group_partner_manager"), collector.implied_ids)
        self.assertNotIn(self.env.ref("account.group_account_invoice"), collector.implied_ids)
        self.assertFalse(self.collector.has_group("account.group_account_invoice"))
        self.assertFalse(self.manager.has_group("account.group_account_invoice"))

    def test_collector_reads_invoices_and_payments(self):
        payment = self._pay(self.invoice, 20000, self.TODAY)
        invoice = self.invoice.with_user(self.collector)
        self.assertEqual(invoice.read(["amount_residual"])[0]["amount_residual"], 100000)
        self.assertEqual(invoice.line_ids.with_user(self.collector).mapped("move_id"), invoice)
        self.assertEqual(payment.with_user(self.collector).read(["amount"])[0]["amount"], 20000)
        self.assertEqual(invoice.partner_id.name, self.customer.name)

    def test_collector_updates_contact_details(self):
        customer = self.customer.with_user(self.collector)
        customer.write(
            {
                "phone": "+56 9 8765 4321",
                "email": "tesoreria@losrobles.cl",
                "cobranza_contact_time": "morning",
            }
        )
        self.assertEqual(
            (self.customer.phone, self.customer.email, self.customer.cobranza_contact_time),
            ("+56 9 8765 4321", "tesoreria@losrobles.cl", "morning"),
        )
        with self.assertRaises(AccessError):
            self.customer.with_user(self.plain_user).phone = "+56 2 1111 1111"

    def test_collector_does_not_bill(self):
        Move = self.env["account.move"].with_user(self.collector)
        count = self.env["account.move"].search_count([])
        with self.assertRaises(AccessError):
            Move.create(self._draft_vals())
        draft = self.env["account.move"].create(self._draft_vals())
        with self.assertRaises(AccessError):
            draft.with_user(self.collector).action_post()
        self.assertEqual(draft.state, "draft")
        with self.assertRaises(AccessError):
            self.env["account.payment"].with_user(self.collector).create(
                {"partner_id": self.customer.id, "amount": 1000, "payment_type": "inbound"}
            )
        with self.assertRaises(AccessError):
            self.env["account.payment.register"].with_user(self.collector).with_context(
                active_model="account.move", active_ids=self.invoice.ids
            ).create({"amount": 1000})
        self.assertEqual(self.env["account.move"].search_count([]), count + 1, "only the admin's draft")
        self.assertEqual(self.invoice.amount_residual, 120000)

    def test_collector_who_bills(self):
        biller = self._create_user("test_collector_billing", "cobranza_telefonica.group_cobranza_collector")
        biller.groups_id = [Command.link(self.env.ref("account.group_account_invoice").id)]
        move = self.env["account.move"].with_user(biller).create(self._draft_vals())
        move.action_post()
        self.assertEqual(move.state, "posted")

    def test_collector_schedules_activities(self):
        activity = self.customer.with_user(self.collector).activity_schedule(
            act_type_xmlid="cobranza_telefonica.mail_activity_type_cobranza_call",
            date_deadline=self.TODAY,
            summary="Llamar",
            user_id=self.collector.id,
        )
        self.assertEqual(activity.res_id, self.customer.id)

    def test_manager_sees_and_reassigns_calls(self):
        manager = self._create_user("test_only_manager", "cobranza_telefonica.group_cobranza_manager")
        self.assertFalse(manager.has_group("account.group_account_invoice"))
        other = self._create_user("test_other_collector", "cobranza_telefonica.group_cobranza_collector")
        activity = self.customer.activity_schedule(
            act_type_xmlid="cobranza_telefonica.mail_activity_type_cobranza_call",
            date_deadline=self.TODAY,
            summary="Llamar por factura vencida",
            user_id=self.collector.id,
        )
        Activity = self.env["mail.activity"].with_user(manager)
        found = Activity.search(
            [
                ("res_model", "=", "res.partner"),
                ("res_id", "=", self.customer.id),
                ("activity_type_id", "=", self.call_type.id),
            ]
        )
        self.assertEqual(found, activity)
        self.assertEqual(found.read(["summary", "user_id"])[0]["user_id"][0], self.collector.id)
        found.write({"user_id": other.id})
        self.assertEqual(activity.user_id, other)
        # Reading someone else's activity takes write access on the customer: a plain user has none.
        with self.assertRaises(AccessError):
            activity.with_user(self.plain_user).read(["summary"])
