from datetime import date

from odoo.exceptions import AccessError, ValidationError
from odoo.tests import tagged
from odoo.tools import format_amount

from odoo.addons.sms.tests.common import SMSCase

from ..services import rut
from .test_followup import FollowupCommon

MONDAY = date(2026, 3, 16)
MOBILE = "+56912345678"


@tagged("post_install", "-at_install")
class TestFollowupSms(FollowupCommon, SMSCase):
    """The follow-up run's SMS: one per customer with a number, through the contact gate (an SMS
    is a message: two a week, two days apart, in the allowed days and hours), queued as Odoo's
    ``sms.sms`` and sent by its queue, here through Odoo's SMS gateway mock."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env["res.lang"]._activate_lang("es_419")
        cls.env["ir.module.module"]._load_module_terms(["cobranza_telefonica"], ["es_419"], overwrite=True)
        # The preventive level texts instead of e-mailing; +7 (a call) also texts.
        cls.level[-3].write({"send_email": False, "send_sms": True})
        cls.level[7].write({"send_sms": True})
        cls.customer.write({"mobile": MOBILE, "phone": False, "lang": "es_419"})
        cls.customer_b.write({"mobile": False, "phone": False, "lang": "es_419"})

    def _sms_of(self, partner):
        return self.env["sms.sms"].sudo().search([("partner_id", "=", partner.id)])

    def _sms_contacts(self, partner):
        return self.env["cobranza.contact"].search([("partner_id", "=", partner.id), ("channel", "=", "sms")])

    def test_default_levels_offer_spanish_sms(self):
        """Every shipped level has its stage's SMS text (off until a manager ticks it), in Spanish
        for a Spanish-speaking customer."""
        templates = {level.day_offset: level.sms_template_id for level in self.levels}
        self.assertEqual(templates[-3], self.env.ref("cobranza_telefonica.sms_template_cobranza_preventive"))
        self.assertEqual(templates[0], self.env.ref("cobranza_telefonica.sms_template_cobranza_due"))
        self.assertEqual(templates[15], self.env.ref("cobranza_telefonica.sms_template_cobranza_overdue"))
        self.assertFalse(self.level[15].send_sms)
        body = templates[15].with_context(lang="es_419").body
        self.assertIn("vencido", body)
        self.assertIn("_cobranza_sms_link()", body)

    def test_run_sends_one_sms_per_customer_through_the_gate(self):
        first = self._invoice(self.customer, 100000, date(2026, 3, 9))  # +7 on Monday 16
        second = self._invoice(self.customer, 50000, date(2026, 3, 8))
        silent = self._invoice(self.customer_b, 30000, date(2026, 3, 9))
        with self.mockSMSGateway(), self._clock_at(MONDAY, 10):
            run = self._run()
            self.assertEqual(run.sms_count, 1)
            sms = self._sms_of(self.customer)
            self.assertEqual(len(sms), 1, "one SMS for both invoices")
            self.assertRecordValues(sms, [{"number": MOBILE, "state": "outgoing"}])
            amount = format_amount(self.env(context={"lang": "es_419"}), 150000, self.currency)
            self.assertIn("150.000", amount)
            self.assertIn(f"{self.company.name}: usted adeuda {amount} vencido", sms.body)
            self.customer.invalidate_recordset()
            link = f"/cobranza/{self.customer.id}?access_token={self.customer.sudo().cobranza_portal_token}"
            self.assertIn(link, sms.body)
            # Odoo's SMS queue sends it (the mocked gateway records what left).
            self.env["sms.sms"].sudo()._process_queue()
            self.assertSMSIapSent([MOBILE], content=amount)
        self.assertEqual(len(self._sms), 1)
        contacts = self._sms_contacts(self.customer)
        self.assertRecordValues(contacts, [{"direction": "outbound", "origin": run.name}])
        self.assertIn(first.name, contacts.note)
        self.assertIn(second.name, contacts.note)
        # The customer's chatter keeps the SMS.
        self.assertTrue(self.customer.message_ids.filtered(lambda msg: msg.message_type == "sms"))
        # No number: reported in the run, nothing sent, nothing logged, the run goes on.
        self.assertFalse(self._sms_of(self.customer_b))
        self.assertFalse(self._sms_contacts(self.customer_b))
        self.assertIn(self.customer_b.name, run.with_context(lang="en_US").log)
        self.assertIn("has no valid mobile or phone number", run.with_context(lang="en_US").log)
        self.assertIn("SMS", silent.with_context(lang="en_US").cobranza_postpone_reason)
        self.assertEqual((run.error_count, run.call_count), (0, 2))
        # The same run again: sent once per invoice and level.
        with self.mockSMSGateway(), self._clock_at(MONDAY, 11):
            self.assertEqual(self._run().sms_count, 0)
        self.assertEqual(len(self._sms_of(self.customer)), 1)

    def test_second_message_one_day_later_refused(self):
        """A new SMS due the day after one was sent is refused by the gate (two days between
        messages) and nothing is sent; it goes two days after the first."""
        self._invoice(self.customer, 100000, date(2026, 3, 9))  # +7 on Monday 16
        later = self._invoice(self.customer, 40000, date(2026, 3, 20))  # -3 on Tuesday 17
        with self.mockSMSGateway():
            with self._clock_at(MONDAY, 10):
                self.assertEqual(self._run().sms_count, 1)
            with self._clock_at(date(2026, 3, 17), 10):
                run = self._run()
            self.assertEqual((run.sms_count, run.postponed_count), (0, 1))
            self.assertEqual(len(self._sms_of(self.customer)), 1, "nothing sent the next day")
            self.assertIn("too soon after the previous message", run.with_context(lang="en_US").log)
            self.assertIn("too soon", later.with_context(lang="en_US").cobranza_postpone_reason)
            self.assertEqual(later.cobranza_next_action_date, date(2026, 3, 18))
            self.assertEqual(len(self._sms_contacts(self.customer)), 1)
            with self._clock_at(date(2026, 3, 18), 10):
                run = self._run()
            self.assertEqual(run.sms_count, 1, "two days after the first message")
            texts = self._sms_of(self.customer).sorted("id")
            self.assertEqual(len(texts), 2)
            amount = format_amount(self.env(context={"lang": "es_419"}), 140000, self.currency)
            self.assertIn(f"sus documentos por {amount} vencen pronto", texts[1].body)
        self.assertEqual(len(self._sms_contacts(self.customer)), 2)

    def test_email_and_sms_count_as_messages(self):
        """A customer e-mailed by the run is not texted the same day: both are messages."""
        self.level[7].write({"send_email": True, "mail_template_id": self.level[15].mail_template_id.id})
        self._invoice(self.customer, 100000, date(2026, 3, 9))
        with self.mockSMSGateway(), self._clock_at(MONDAY, 10):
            run = self._run()
        self.assertEqual((run.email_count, run.sms_count, run.postponed_count), (1, 0, 1))
        self.assertFalse(self._sms_of(self.customer))
        self.assertIn("too soon after the previous message", run.with_context(lang="en_US").log)

    def test_sunday_and_night_refused(self):
        self._invoice(self.customer, 100000, date(2026, 3, 15))  # +7 on Sunday 22
        with self.mockSMSGateway():
            with self._clock_at(date(2026, 3, 22), 12):
                sunday = self._run()
            with self._clock_at(date(2026, 3, 23), 21):
                night = self._run()
            self.assertEqual((sunday.sms_count, night.sms_count), (0, 0))
            self.assertIn("day of the week", sunday.with_context(lang="en_US").log)
            self.assertIn("outside the allowed contact hours", night.with_context(lang="en_US").log)
            self.assertFalse(self._sms_of(self.customer))
            self.assertFalse(self._sms_contacts(self.customer))
            with self._clock_at(date(2026, 3, 24), 9):
                self.assertEqual(self._run().sms_count, 1)
        self.assertEqual(len(self._sms_of(self.customer)), 1)

    def test_blacklisted_number_not_texted(self):
        self.env["phone.blacklist"].sudo().create({"number": MOBILE})
        self._invoice(self.customer, 100000, date(2026, 3, 9))
        with self.mockSMSGateway(), self._clock_at(MONDAY, 10):
            run = self._run()
        self.assertEqual((run.sms_count, run.postponed_count), (0, 1))
        self.assertFalse(self._sms_of(self.customer))
        self.assertFalse(self._sms_contacts(self.customer), "the gate logs no SMS Odoo would cancel")
        self.assertIn("blacklisted", run.with_context(lang="en_US").log)

    def test_queries_do_not_grow_with_customers(self):
        def customers(count, first):
            partners = self.env["res.partner"]
            for number in range(first, first + count):
                body = 78000000 + number
                partner = self._create_cl_partner(
                    f"Cliente {number} SpA", f"{body}-{rut.check_digit(body)}", mobile=f"+5691234{number:04d}"
                )
                self._invoice(partner, 1000 + number, date(2026, 3, 9))
                partners |= partner
            return partners

        def queries(partners):
            self.env.flush_all()
            before = self.env.cr.sql_log_count
            with self._clock_at(MONDAY, 10):
                run = self._run(partners=partners)
                self.env.flush_all()
            self.assertEqual(run.sms_count, len(partners))
            return self.env.cr.sql_log_count - before

        with self.mockSMSGateway():
            queries(customers(2, 1))
            small = queries(customers(4, 11))
            large = queries(customers(16, 101))
        self.assertLess(large - small, 12, f"{small} queries for 4 customers, {large} for 16")

    def test_level_needs_sms_template_and_managers(self):
        with self.assertRaises(ValidationError):
            self.level[0].write({"send_sms": True, "sms_template_id": False})
        with self.assertRaises(AccessError):
            self.level[0].with_user(self.collector).write({"send_sms": True})
        self.level[0].with_user(self.manager).write({"send_sms": True})
        self.assertTrue(self.level[0].send_sms)
        with self._clock_at(MONDAY, 10):
            run = self._run()
        with self.assertRaises(AccessError):
            run.with_user(self.collector).write({"sms_count": 9})
        level_es = self.env["cobranza.level"].with_context(lang="es_419")
        self.assertEqual(level_es.fields_get(["send_sms"])["send_sms"]["string"], "Enviar SMS")
        arch = level_es.get_view(self.env.ref("cobranza_telefonica.view_cobranza_level_form").id)["arch"]
        self.assertIn('name="send_sms"', arch)
        self.assertIn('name="sms_template_id"', arch)
        self.assertIn('name="send_sms"', level_es.get_view(view_type="list")["arch"])
