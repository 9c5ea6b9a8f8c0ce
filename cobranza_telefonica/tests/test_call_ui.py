import json
from datetime import timedelta

from odoo import Command
from odoo.tests import new_test_user, tagged

from odoo.addons.account.tests.common import AccountTestInvoicingHttpCommon

from .common import CobranzaCommon


@tagged("post_install", "-at_install")
class TestCobranzaCallUi(CobranzaCommon, AccountTestInvoicingHttpCommon):
    # The size of the collectors' screens (the queue must fit it without sideways scrolling).
    browser_size = "1440x900"

    def test_call_tour(self):
        """A collector opens the queue, calls the first customer and records a promise, then calls
        the second one and records a call back; the call log, promise and next call follow."""
        self.company.partner_id.tz = "America/Santiago"
        # The server's clock is set to 10:00 of an open day near the real date (the browser's own
        # clock runs free); the tour reads that day from the page.
        today = self._open_day(days=3)
        with self._clock_at(today):
            self._run_call_tour(today)

    def _run_call_tour(self, today):
        invoice = self._invoice(self.customer, 250000, today - timedelta(days=20))
        self._invoice(self.customer_b, 40000, today - timedelta(days=5))
        user = new_test_user(
            self.env,
            login="tour_call_collector",
            password="tour_call_collector",
            name="Camila Rojas",
            groups="base.group_user,cobranza_telefonica.group_cobranza_collector",
            company_id=self.company.id,
            company_ids=[Command.set(self.company.ids)],
            tz="America/Santiago",
        )
        activities = self.env["mail.activity"]
        for partner in (self.customer, self.customer_b):
            activities |= partner.activity_schedule(
                "cobranza_telefonica.mail_activity_type_cobranza_call", date_deadline=today, user_id=user.id
            )
        # The tour calls the same customer twice today (the call back is started from the chatter):
        # this company allows it; the weekly limit has tests of its own.
        self.env["cobranza.guardrail"].search([("company_id", "=", self.company.id)]).max_calls_per_week = 0

        options = {"stepDelay": 0, "keepWatchBrowser": False, "debug": False, "startUrl": "/odoo"}
        self.start_tour(
            "/odoo",
            "cobranza_call_tour",
            login=user.login,
            code=f"window.cobranzaTourToday = {json.dumps(today.isoformat())}; "
            f"odoo.startTour('cobranza_call_tour', {json.dumps(options)})",
        )

        Call = self.env["cobranza.call"]
        call = Call.search([("partner_id", "=", self.customer.id)])
        self.assertRecordValues(
            call,
            [
                {
                    "user_id": user.id,
                    "contact_result": "debtor",
                    "outcome": "promise",
                    "note": "Paga por transferencia",
                }
            ],
        )
        self.assertEqual(len(call.step_ids), 2)
        self.assertEqual(call.move_ids, invoice)
        self.assertRecordValues(
            call.promise_ids,
            [{"amount": 60000, "channel": "call", "state": "open", "date": today + timedelta(days=10)}],
        )
        self.assertRecordValues(call.promise_ids.line_ids, [{"move_id": invoice.id, "amount": 60000}])
        self.assertFalse(activities[0].exists())

        callback = Call.search([("partner_id", "=", self.customer_b.id)])
        self.assertRecordValues(callback, [{"contact_result": "debtor", "outcome": "call_back"}])
        self.assertFalse(callback.promise_ids)
        next_call = self.env["mail.activity"].search(
            [("cobranza_is_call", "=", True), ("cobranza_partner_id", "=", self.customer_b.id)]
        )
        self.assertEqual(len(next_call), 1)
        self.assertEqual(next_call.cobranza_call_at, callback.next_call)
        self.assertEqual(next_call.date_deadline, today + timedelta(days=2))
        self.assertEqual(next_call.user_id, user)
        # Both calls went through the contact gate and are in the contact log.
        contacts = self.env["cobranza.contact"].search(
            [("partner_id", "in", (self.customer | self.customer_b).ids)]
        )
        # Both reached someone: each also sent the e-mail asking to rate it (test_rating.py).
        self.assertEqual(sorted(contacts.mapped("channel")), ["call", "call", "email", "email"])

    def test_call_send_tour(self):
        """From the call screen: a WhatsApp chat, a second message refused, Record and next, the
        payment details e-mailed, and back to the queue after the last call."""
        self.company.partner_id.tz = "America/Santiago"
        today = self._open_day(days=1)
        with self._clock_at(today):
            self._run_call_send_tour(today)

    def _run_call_send_tour(self, today):
        self.customer.mobile = "+56 9 8765 4321"
        self._invoice(self.customer, 250000, today - timedelta(days=20))
        invoice_b = self._invoice(self.customer_b, 40000, today - timedelta(days=5))
        user = new_test_user(
            self.env,
            login="tour_send_collector",
            password="tour_send_collector",
            name="Camila Rojas",
            groups="base.group_user,cobranza_telefonica.group_cobranza_collector",
            company_id=self.company.id,
            company_ids=[Command.set(self.company.ids)],
            tz="America/Santiago",
        )
        for partner in (self.customer, self.customer_b):
            partner.activity_schedule(
                "cobranza_telefonica.mail_activity_type_cobranza_call", date_deadline=today, user_id=user.id
            )
        self.start_tour("/odoo", "cobranza_call_send_tour", login=user.login)

        def channels(partner):
            contacts = self.env["cobranza.contact"].search([("partner_id", "=", partner.id)])
            return sorted(contacts.mapped("channel"))

        self.assertEqual(channels(self.customer), ["call", "whatsapp"])
        self.assertEqual(channels(self.customer_b), ["call", "email"])
        calls = self.env["cobranza.call"].search(
            [("partner_id", "in", (self.customer | self.customer_b).ids)]
        )
        self.assertEqual(sorted(calls.mapped("contact_result")), ["busy", "no_answer"])
        self.assertEqual(len(calls.filtered(lambda c: c.partner_id == self.customer_b).step_ids), 1)
        sent = invoice_b.message_ids.filtered(lambda m: "Según lo conversado" in str(m.body))
        self.assertEqual(sent.partner_ids, self.customer_b)
