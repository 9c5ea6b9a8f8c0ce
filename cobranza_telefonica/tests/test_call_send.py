from datetime import date, datetime, timedelta
from unittest.mock import patch
from urllib.parse import parse_qs, urlsplit

from freezegun import freeze_time

from odoo.exceptions import AccessError, UserError
from odoo.tests import Form, tagged
from odoo.tools import format_amount

from ..models import account_move
from .common import CobranzaCommon

NOW = datetime(2026, 3, 16, 14, 0)  # Monday 11:00 in Santiago (UTC-3)
CALL_TYPE = "cobranza_telefonica.mail_activity_type_cobranza_call"


@tagged("post_install", "-at_install")
@freeze_time(NOW)
class TestCobranzaCallSend(CobranzaCommon):
    """What the collector sends from the call screen (payment details by e-mail, a WhatsApp
    chat), always through the contact gate, and "Record and next"."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company.partner_id.tz = "America/Santiago"
        cls.company.write({"vat": "77340975-7", "email": "cobranza@empresa.cl"})
        bank = cls.env["res.bank"].create({"name": "Banco de Chile"})
        cls.env["res.partner.bank"].create(
            {
                "partner_id": cls.company.partner_id.id,
                "bank_id": bank.id,
                "acc_number": "00-123-45678-09",
                "cobranza_account_type": "checking",
            }
        )
        cls.inv_old = cls._invoice(cls.customer, 100000, date(2026, 2, 14))  # 30 days overdue
        cls.inv_new = cls._invoice(cls.customer, 50000, date(2026, 4, 15))  # not yet due
        cls.manager.groups_id += cls.env.ref("base.group_partner_manager")

    def setUp(self):
        super().setUp()
        self.activity = self._call_activity(self.customer)

    def _call_activity(self, partner, user=None):
        return partner.activity_schedule(
            CALL_TYPE, date_deadline=self.TODAY, user_id=(user or self.collector).id
        )

    def _wizard(self, activity=None):
        """The call screen as the collector opens it from the queue, saved (as a button saves it)."""
        action = (activity or self.activity).with_user(self.collector).action_cobranza_start_call()
        wizard_model = self.env["cobranza.call.wizard"].with_user(self.collector)
        return Form(wizard_model.with_context(**action["context"])).save()

    def _money(self, amount):
        """``amount`` CLP as the e-mail's HTML writes it."""
        return format_amount(self.env, amount, self.currency).replace("\xa0", "&nbsp;")

    def _contacts(self, channel, partner=None):
        return self.env["cobranza.contact"].search(
            [("partner_id", "=", (partner or self.customer).id), ("channel", "=", channel)]
        )

    def _mails(self):
        """The payment details e-mails posted on the customer's documents."""
        return (
            self.env["mail.message"]
            .search(
                [
                    ("model", "=", "account.move"),
                    ("res_id", "in", (self.inv_old | self.inv_new).ids),
                ]
            )
            .filtered(lambda message: "Según lo conversado" in str(message.body))
        )

    # ------------------------------------------------------------------ e-mail

    def test_send_payment_details(self):
        """The e-mail lists the documents discussed (type + folio, amount, due date), the totals
        of the receivable figure, the collection page link and the transfer data; the gate logs
        one e-mail contact; the screen reopens."""
        wizard = self._wizard()
        action = wizard.action_cobranza_send_payment_details()
        self.assertEqual(action["params"]["next"]["res_model"], "cobranza.call.wizard")
        self.assertEqual(action["params"]["next"]["res_id"], wizard.id)
        self.assertEqual(action["params"]["next"]["target"], "new")
        self.assertIn("pagos@76201224.cl", action["params"]["message"])

        mail = self._mails()
        self.assertEqual(len(mail), 1)
        self.assertEqual(mail.res_id, self.inv_old.id, "posted on the oldest document")
        self.assertEqual(mail.partner_ids, self.customer)
        self.assertEqual(mail.author_id, self.collector.partner_id)
        body = str(mail.body)
        self.assertIn("Según lo conversado", body)
        for move in (self.inv_old, self.inv_new):
            self.assertIn(move.cobranza_dte_label, body)
        self.assertIn(self.inv_old.cobranza_dte_label, mail.subject)
        self.assertIn(f"{self.inv_old.cobranza_dte_label}: {self._money(100000)}, vence el ", body)
        self.assertIn(f"{self.inv_new.cobranza_dte_label}: {self._money(50000)}, vence el ", body)
        self.assertIn(f"Total adeudado: <strong>{self._money(150000)}</strong>", body)
        self.assertIn(f"vencido: <strong>{self._money(100000)}</strong>", body)
        self.assertIn(f"/cobranza/{self.customer.id}?access_token=", body)
        self.assertIn(self.customer.sudo().cobranza_portal_token, body)
        for text in (
            "Banco: Banco de Chile",
            "Tipo de cuenta: cuenta corriente",
            "Número de cuenta: 00-123-45678-09",
            "RUT: 77.340.975-7",
            "Envíe el comprobante a: cobranza@empresa.cl",
        ):
            self.assertIn(text, body)

        contact = self._contacts("email")
        self.assertRecordValues(
            contact,
            [{"user_id": self.collector.id, "company_id": self.company.id, "direction": "outbound"}],
        )
        self.assertIn(self.inv_old.cobranza_dte_label, contact.note)

    def test_many_documents_summed_up(self):
        """A customer with many open documents gets the oldest listed and the rest summed up."""
        self._invoice(self.customer, 30000, date(2026, 4, 30))
        with patch.object(account_move, "CALL_INVOICE_ROWS", 1):
            self._wizard().action_cobranza_send_payment_details()
        body = str(self._mails().body)
        self.assertIn(self.inv_old.cobranza_dte_label, body)
        self.assertNotIn(f"{self.inv_new.cobranza_dte_label}:", body)
        self.assertIn(f"y 2 documentos más por {self._money(80000)}", body)
        self.assertIn(f"Total adeudado: <strong>{self._money(180000)}</strong>", body)

    def test_receipt_email_setting(self):
        self.company.cobranza_receipt_email = "comprobantes@empresa.cl"
        self._wizard().action_cobranza_send_payment_details()
        self.assertIn("Envíe el comprobante a: comprobantes@empresa.cl", str(self._mails().body))

    def test_only_discussed_documents(self):
        """From an invoice's call, the e-mail is about the documents the screen discusses."""
        wizard = self._wizard()
        wizard.move_ids = self.inv_new
        wizard.action_cobranza_send_payment_details()
        mail = self._mails()
        self.assertEqual(mail.res_id, self.inv_new.id)
        self.assertNotIn(self.inv_old.cobranza_dte_label, str(mail.body))

    def test_other_customers_documents_refused(self):
        """Documents of another customer written into the screen (an RPC) are never sent."""
        other = self._invoice(self.customer_b, 70000, date(2026, 3, 1))
        wizard = self._wizard()
        wizard.move_ids = other
        with self.assertRaisesRegex(UserError, "no open documents"):
            wizard.action_cobranza_send_payment_details()
        self.assertFalse(self._contacts("email"))
        self.assertFalse(other.message_ids.filtered(lambda m: "Según lo conversado" in str(m.body)))

    def test_second_email_within_two_days_refused(self):
        """Messages must be two days apart: the second e-mail on Tuesday is refused with the
        gate's reason, nothing sent nor logged; on Thursday it goes."""
        wizard = self._wizard()
        wizard.action_cobranza_send_payment_details()
        with self._clock_at(date(2026, 3, 17), hour=11), self.assertRaises(UserError) as refusal:
            wizard.action_cobranza_send_payment_details()
        self.assertIn("not allowed now", str(refusal.exception))
        self.assertEqual(len(self._mails()), 1)
        self.assertEqual(len(self._contacts("email")), 1)
        with self._clock_at(date(2026, 3, 19), hour=11):
            wizard.action_cobranza_send_payment_details()
        self.assertEqual(len(self._mails()), 2)
        self.assertEqual(len(self._contacts("email")), 2)

    def test_sunday_refused(self):
        wizard = self._wizard()
        with self._clock_at(date(2026, 3, 22), hour=11), self.assertRaises(UserError):
            wizard.action_cobranza_send_payment_details()
        self.assertFalse(self._mails())
        self.assertFalse(self._contacts("email"))

    def test_no_email_refused(self):
        self.customer.email = False
        wizard = self._wizard()
        with self.assertRaisesRegex(UserError, "no e-mail address"):
            wizard.action_cobranza_send_payment_details()
        self.assertFalse(self._contacts("email"))

    def test_invoice_contact_email(self):
        """Without an e-mail on the customer, its invoice address gets it."""
        self.customer.email = False
        billing = self.env["res.partner"].create(
            {"name": "Pagos", "type": "invoice", "parent_id": self.customer.id, "email": "facturas@robles.cl"}
        )
        self._wizard().action_cobranza_send_payment_details()
        self.assertEqual(self._mails().partner_ids, billing)

    def test_screen_needs_collector(self):
        with self.assertRaises(AccessError):
            self.env["cobranza.call.wizard"].with_user(self.plain_user).create(
                {"partner_id": self.customer.id}
            )

    # ------------------------------------------------------------------ WhatsApp

    def test_whatsapp(self):
        """A wa.me link to the mobile's digits with the amount overdue and the collection page;
        the gate logs one WhatsApp contact; a second one on Tuesday is refused, nothing logged."""
        self.customer.mobile = "+56 9 8765 4321"
        wizard = self._wizard()
        action = wizard.action_cobranza_whatsapp()
        self.assertEqual((action["type"], action["target"]), ("ir.actions.act_url", "new"))
        url = urlsplit(action["url"])
        self.assertEqual((url.scheme, url.netloc, url.path), ("https", "wa.me", "/56987654321"))
        text = parse_qs(url.query)["text"][0]
        self.assertIn(f"Su deuda vencida es de {format_amount(self.env, 100000, self.currency)}.", text)
        self.assertIn(self.company.name, text)
        self.assertIn(
            f"/cobranza/{self.customer.id}?access_token={self.customer.sudo().cobranza_portal_token}", text
        )
        self.assertEqual(len(self._contacts("whatsapp")), 1)
        with self._clock_at(date(2026, 3, 17), hour=11), self.assertRaises(UserError):
            wizard.action_cobranza_whatsapp()
        self.assertEqual(len(self._contacts("whatsapp")), 1)

    def test_whatsapp_after_email_refused(self):
        """Both are messages: a WhatsApp right after the e-mail waits two days."""
        self.customer.mobile = "+56 9 8765 4321"
        wizard = self._wizard()
        wizard.action_cobranza_send_payment_details()
        with self.assertRaises(UserError):
            wizard.action_cobranza_whatsapp()
        self.assertFalse(self._contacts("whatsapp"))

    def test_whatsapp_no_mobile(self):
        """Only a landline (+56 2 …): a clear error, nothing logged."""
        wizard = self._wizard()
        with self.assertRaisesRegex(UserError, "no mobile phone"):
            wizard.action_cobranza_whatsapp()
        self.assertFalse(self._contacts("whatsapp"))

    # ------------------------------------------------------------------ record and next

    def test_record_and_next(self):
        """The call is recorded and the next call of the queue opens: the highest priority not
        blocked (customer C, higher but already called this week, is skipped); after the last
        one, back to the queue."""
        customer_c = self._create_cl_partner("Comercial Andes Ltda.", "96790240-3")
        self._invoice(self.customer_b, 40000, date(2026, 3, 6))  # 10 days overdue
        self._invoice(customer_c, 500000, date(2026, 2, 4))  # 40 days overdue
        activity_b = self._call_activity(self.customer_b)
        self._call_activity(customer_c)
        gate = self.env["cobranza.contact.gate"]
        gate._cobranza_log(
            [
                {
                    "partner_id": customer_c.id,
                    "company_id": self.company.id,
                    "channel": "call",
                    "date": NOW - timedelta(days=1),
                    "user_id": self.collector.id,
                }
            ]
        )

        wizard = self._wizard()
        wizard.contact_result = "no_answer"
        action = wizard.action_confirm_next()
        call = self.env["cobranza.call"].search([("partner_id", "=", self.customer.id)])
        self.assertRecordValues(call, [{"contact_result": "no_answer", "user_id": self.collector.id}])
        self.assertFalse(self.activity.exists())
        self.assertIn("Call recorded", action["params"]["message"])
        following = action["params"]["next"]
        self.assertEqual(following["res_model"], "cobranza.call.wizard")
        self.assertEqual(following["context"]["default_partner_id"], self.customer_b.id)
        self.assertEqual(following["context"]["default_activity_id"], activity_b.id)

        wizard_b = self._wizard(activity_b)
        wizard_b.contact_result = "busy"
        action = wizard_b.action_confirm_next()
        self.assertIn("No more calls", action["params"]["message"])
        self.assertEqual(action["params"]["next"]["res_model"], "mail.activity")
        self.assertEqual(len(self._contacts("call", self.customer_b)), 1)

    def test_record_and_next_refuses_bad_input(self):
        """Without a contact result nothing is recorded and no other screen opens."""
        wizard = self._wizard()
        with self.assertRaisesRegex(UserError, "contact result"):
            wizard.action_confirm_next()
        self.assertFalse(self.env["cobranza.call"].search([("partner_id", "=", self.customer.id)]))
        self.assertTrue(self.activity.exists())
