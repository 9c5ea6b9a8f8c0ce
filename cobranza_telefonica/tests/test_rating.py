import re
from datetime import date, datetime, timedelta

from odoo import Command
from odoo.exceptions import AccessError
from odoo.tests import new_test_user, tagged

from odoo.addons.account.tests.common import AccountTestInvoicingHttpCommon

from ..services import clock
from .common import CobranzaCommon

CSRF_RE = re.compile(r'name="csrf_token"\s+value="([^"]+)"')
RATE_RE = re.compile(r'href="/rate/([0-9a-f]+)/5"')
SUBJECT = "¿Cómo le atendimos? Califique nuestra llamada"


@tagged("post_install", "-at_install")
class TestCallRating(CobranzaCommon, AccountTestInvoicingHttpCommon):
    """The debtor rates the last call that reached it: the request e-mail through the contact
    gate (once, not when the gate refuses), Odoo's /rate pages as a visitor, and the rating on the
    call, in the customer's chatter and in the contact log as inbound."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company.partner_id.tz = "America/Santiago"
        cls.customer.lang = cls.customer_b.lang = "en_US"
        cls.customer.with_company(cls.company).cobranza_collector_id = cls.collector
        cls.invoice = cls._invoice(cls.customer, 100000, cls.TODAY - timedelta(days=20))
        cls.invoice_b = cls._invoice(cls.customer_b, 70000, cls.TODAY - timedelta(days=10))

    def setUp(self):
        super().setUp()
        self.moment = self.enterContext(self._clock_at(self.TODAY))
        for partner in (self.customer, self.customer_b):
            partner._cobranza_portal_ensure_token(self.company)

    def _record(self, partner=None, result="debtor", start=None):
        values = {
            "partner_id": partner or self.customer,
            "contact_result": result,
            "outcome": "refuses" if result == "debtor" else False,
            "date_start": start or self.moment,
        }
        return self.env["cobranza.call"].with_user(self.collector)._cobranza_record(values)

    def _request_contacts(self, partner=None):
        return (
            self.env["cobranza.contact"]
            .sudo()
            .search(
                [
                    ("partner_id", "=", (partner or self.customer).id),
                    ("channel", "=", "email"),
                    ("origin", "=", "Call rating request"),
                ]
            )
        )

    def _request_messages(self, call):
        return (
            self.env["mail.message"]
            .sudo()
            .search([("model", "=", "cobranza.call"), ("res_id", "=", call.id), ("subject", "=", SUBJECT)])
        )

    def _page(self, partner=None):
        partner = partner or self.customer
        token = partner.sudo().cobranza_portal_token
        return self.url_open(f"/cobranza/{partner.id}?access_token={token}")

    def _inbound_ratings(self):
        return (
            self.env["cobranza.contact"]
            .sudo()
            .search(
                [
                    ("partner_id", "=", self.customer.id),
                    ("direction", "=", "inbound"),
                    ("origin", "=", "Call rating"),
                ]
            )
        )

    # ------------------------------------------------------------------ the request e-mail

    def test_request_sent_once_through_the_gate(self):
        """A call that reached the debtor sends one rating request, logged by the gate as an
        e-mail, with the call's own /rate links; asking again sends nothing more. A call that
        reached nobody asks for nothing."""
        call = self._record()
        self.assertTrue(call.rating_request_sent)
        contact = self._request_contacts()
        self.assertEqual(len(contact), 1)
        self.assertEqual((contact.direction, contact.user_id), ("outbound", self.collector))
        message = self._request_messages(call)
        self.assertEqual(len(message), 1)
        self.assertIn(self.customer, message.partner_ids)
        token = call._cobranza_rating_token()
        self.assertIn(f"/rate/{token}/5", message.body)
        self.assertIn(f"/rate/{token}/1", message.body)
        call._cobranza_send_rating_request()
        self.assertEqual(len(self._request_contacts()), 1, "never twice for one call")
        self.assertEqual(len(self._request_messages(call)), 1)
        unanswered = self._record(self.customer_b, result="no_answer")
        self.assertFalse(unanswered.rating_request_sent)
        self.assertFalse(self._request_contacts(self.customer_b))
        self.assertFalse(unanswered._cobranza_rating_token())

    def test_request_not_sent_nor_queued_when_gate_refuses(self):
        """On a Sunday the gate refuses e-mails: the request is not sent, nor queued for later (a
        late survey would take a collection message's place); the page still offers the rating."""
        sunday = self.TODAY + timedelta(days=6)
        with self._clock_at(sunday):
            saturday_call = self.at_noon(sunday - timedelta(days=1))
            call = self._record(start=saturday_call)
            self.assertFalse(self._request_contacts())
            self.assertFalse(self._request_messages(call))
            self.assertFalse(
                self.env["cobranza.contact.queue"].sudo().search([("partner_id", "=", self.customer.id)])
            )
            self.assertFalse(call.rating_request_sent)
            self.assertTrue(call._cobranza_rating_token())

    def test_request_off_by_company_setting(self):
        """A company that keeps its messages for collection turns the rating e-mail off."""
        self.company.cobranza_rating_email = False
        call = self._record()
        self.assertFalse(call.rating_request_sent)
        self.assertFalse(self._request_contacts())
        self.assertFalse(self._request_messages(call))
        self.assertTrue(call._cobranza_rating_token())

    # ------------------------------------------------------------------ rating through /rate

    def test_rate_from_the_collection_page(self):
        """The page offers the last call that reached the debtor; a visitor rates it through
        Odoo's /rate pages: the figure and comment land on the call, the customer's chatter
        and the contact log (inbound, not counted); the page then thanks instead."""
        first = self._record(start=self.moment - timedelta(hours=1))
        later = {"company_id": self.company.id, "partner_id": self.customer.id, "user_id": self.collector.id}
        self.env["cobranza.call"].sudo().create(
            {**later, "date_start": self.moment, "contact_result": "no_answer"}
        )  # later, but reached nobody
        page = self._page()
        self.assertEqual(page.status_code, 200)
        self.assertIn(f'data-call-id="{first.id}"', page.text)
        [token] = set(RATE_RE.findall(page.text))
        self.assertEqual(token, first._cobranza_rating_token())
        self.assertNotIn(self.customer_b.sudo().cobranza_portal_token, page.text)

        response = self.url_open(f"/rate/{token}/5")
        self.assertEqual(response.status_code, 200)
        csrf = CSRF_RE.search(response.text).group(1)
        response = self.url_open(
            f"/rate/{token}/submit_feedback",
            data={"csrf_token": csrf, "rate": "3", "feedback": "Amable, pero muy larga"},
        )
        self.assertEqual(response.status_code, 200)
        first.invalidate_recordset()
        self.assertEqual(first.rating_last_value, 3.0)
        self.assertEqual(first.rating_last_feedback, "Amable, pero muy larga")
        self.assertEqual(first.rating_count, 1)
        rating = first.rating_ids
        self.assertEqual(
            (rating.partner_id, rating.rated_partner_id), (self.customer, self.collector.partner_id)
        )
        chatter = (
            self.env["mail.message"]
            .sudo()
            .search(
                [
                    ("model", "=", "res.partner"),
                    ("res_id", "=", self.customer.id),
                    ("body", "ilike", "rated the call"),
                ]
            )
        )
        self.assertEqual(len(chatter), 1)
        self.assertIn("3/5", chatter.body)
        self.assertIn("Amable, pero muy larga", chatter.body)
        inbound = self._inbound_ratings()
        self.assertEqual((len(inbound), inbound.channel), (1, "portal"))

        page = self._page()
        self.assertIn("o_cobranza_portal_rated", page.text)
        self.assertFalse(RATE_RE.search(page.text), "a rated call is not offered again")
        # Changing one's mind (Odoo's page lets the same link be sent again) logs nothing more.
        self.url_open(f"/rate/{token}/submit_feedback", data={"csrf_token": csrf, "rate": "5"})
        first.invalidate_recordset()
        self.assertEqual(first.rating_last_value, 5.0)
        self.assertEqual(len(self._inbound_ratings()), 1)

    def test_other_customer_refused(self):
        """A portal user of another customer can neither open nor submit this customer's rating;
        a made-up token is not found; another customer's page does not offer this call."""
        call = self._record()
        token = call._cobranza_rating_token()
        other = self.env["res.partner"].create({"name": "Juan Pérez hijo", "parent_id": self.customer_b.id})
        new_test_user(self.env, login="perez_portal", groups="base.group_portal", partner_id=other.id)
        self.assertNotIn(token, self._page(self.customer_b).text)
        self.assertNotIn("o_cobranza_portal_rating", self._page(self.customer_b).text)
        self.authenticate("perez_portal", "perez_portal")
        response = self.url_open(f"/rate/{token}/5")
        self.assertIn("You cannot rate this", response.text)
        csrf = CSRF_RE.search(self.url_open("/my/cobranza").text).group(1)
        response = self.url_open(f"/rate/{token}/submit_feedback", data={"csrf_token": csrf, "rate": "1"})
        self.assertEqual(response.status_code, 403)
        call.invalidate_recordset()
        self.assertEqual(call.rating_last_value, 0.0)
        self.assertFalse(call.sudo().rating_ids.consumed)
        self.assertFalse(self._inbound_ratings())
        self.assertEqual(self.url_open("/rate/0123456789abcdef0123456789abcdef/5").status_code, 404)


@tagged("post_install", "-at_install")
class TestCollectorQuality(CobranzaCommon):
    """The collector quality report: its figures per collector agree with an independent count
    of calls, promises and ratings; only a collection manager reads it."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company.partner_id.tz = "America/Santiago"
        cls.collector_b = cls._create_user("test_collector_b", "cobranza_telefonica.group_cobranza_collector")
        cls.invoice = cls._invoice(cls.customer, 100000, cls.TODAY - timedelta(days=20))
        Call = cls.env["cobranza.call"].sudo()
        results = {
            cls.collector: ["debtor", "debtor", "no_answer", "busy", "third_party"],
            cls.collector_b: ["no_answer", "debtor", "voicemail", "voicemail"],
        }
        cls.calls = Call.browse()
        for user, user_results in results.items():
            for index, result in enumerate(user_results):
                cls.calls |= Call.create(
                    {
                        "company_id": cls.company.id,
                        "partner_id": cls.customer.id,
                        "user_id": user.id,
                        # 23:30 in Santiago on the 15th is the 16th in UTC: the report's day is the company's.
                        "date_start": datetime(2026, 3, 16, 2, 30) + timedelta(days=index),
                        "contact_result": result,
                        "outcome": "refuses" if result == "debtor" else False,
                    }
                )
        ratings = [(cls.calls[0], 5), (cls.calls[1], 3), (cls.calls[6], 1)]
        for call, score in ratings:
            token = call._rating_get_access_token()
            call.rating_apply(score, token=token, feedback=f"nota {score}")
        cls.enterClassContext(clock.frozen_at(cls.at_noon(cls.TODAY)))
        states = {
            cls.collector: ["kept", "kept", "broken", "open"],
            cls.collector_b: ["partial", "cancelled"],
        }
        Promise = cls.env["cobranza.promise"].sudo()
        for user, user_states in states.items():
            for state in user_states:
                promise = Promise.create(
                    {
                        "company_id": cls.company.id,
                        "partner_id": cls.customer.id,
                        "user_id": user.id,
                        "date": cls.TODAY + timedelta(days=5),
                        "line_ids": [Command.create({"move_id": cls.invoice.id, "amount": 1000})],
                    }
                )
                promise.write({"state": state})

    def _independent(self, user):
        """The figures of ``user`` counted straight from calls, promises and ratings."""
        calls = self.env["cobranza.call"].sudo().search([("user_id", "=", user.id)])
        reached = calls.filtered(lambda c: c.contact_result in ("debtor", "third_party"))
        promises = (
            self.env["cobranza.promise"]
            .sudo()
            .search([("user_id", "=", user.id), ("state", "!=", "cancelled")])
        )
        ratings = (
            self.env["rating.rating"]
            .sudo()
            .search(
                [("res_model", "=", "cobranza.call"), ("res_id", "in", calls.ids), ("consumed", "=", True)]
            )
        )
        return {
            "calls": len(calls),
            "reached": len(reached),
            "rate": round(100.0 * len(reached) / len(calls), 2),
            "promises": len(promises),
            "kept": len(promises.filtered(lambda p: p.state == "kept")),
            "ratings": len(ratings),
            "avg": round(sum(ratings.mapped("rating")) / len(ratings), 2),
        }

    def test_figures_per_collector(self):
        Report = self.env["cobranza.collector.quality"].with_user(self.manager)
        groups = Report._read_group(
            [("company_id", "=", self.company.id)],
            ["user_id"],
            [
                "call_count:sum",
                "reached_count:sum",
                "contact_rate:avg",
                "promise_count:sum",
                "kept_count:sum",
                "kept_rate:avg",
                "rating_count:sum",
                "rating:avg",
            ],
        )
        figures = {
            user: {
                "calls": calls,
                "reached": reached,
                "rate": round(rate, 2),
                "promises": promises,
                "kept": kept,
                "ratings": ratings,
                "avg": round(avg, 2),
            }
            for user, calls, reached, rate, promises, kept, _kept_rate, ratings, avg in groups
        }
        self.assertEqual(figures[self.collector], self._independent(self.collector))
        self.assertEqual(figures[self.collector_b], self._independent(self.collector_b))
        # The figures themselves, so that the test fails if both counts go wrong the same way.
        self.assertEqual(
            figures[self.collector],
            {"calls": 5, "reached": 3, "rate": 60.0, "promises": 4, "kept": 2, "ratings": 2, "avg": 4.0},
        )
        self.assertEqual(
            figures[self.collector_b],
            {"calls": 4, "reached": 1, "rate": 25.0, "promises": 1, "kept": 0, "ratings": 1, "avg": 1.0},
        )
        kept_rates = {user: rate for user, *_rest, rate, _ratings, _avg in groups}
        self.assertAlmostEqual(
            kept_rates[self.collector], 100.0 * 2 / 3, places=2
        )  # the open one is left out
        self.assertEqual(kept_rates[self.collector_b], 0.0)

    def test_day_is_the_company_day(self):
        row = self.env["cobranza.collector.quality"].search([("call_id", "=", self.calls[0].id)])
        self.assertEqual(row.date, date(2026, 3, 15))
        self.assertEqual(row.rating_feedback, "nota 5")

    def test_manager_only(self):
        """A collector cannot read the report; the menu is a manager's."""
        with self.assertRaises(AccessError):
            self.env["cobranza.collector.quality"].with_user(self.collector).search([])
        menu = self.env.ref("cobranza_telefonica.menu_cobranza_collector_quality")
        self.assertFalse(self.env["ir.ui.menu"].with_user(self.collector).search([("id", "=", menu.id)]))
        self.assertEqual(self.env["ir.ui.menu"].with_user(self.manager).search([("id", "=", menu.id)]), menu)


@tagged("post_install", "-at_install")
class TestCallReview(CobranzaCommon):
    """A collection manager scores a call on the checklist and attaches its recording; a
    collector cannot, and nobody changes what the call recorded."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.call = (
            cls.env["cobranza.call"]
            .sudo()
            .create(
                {
                    "company_id": cls.company.id,
                    "partner_id": cls.customer.id,
                    "user_id": cls.collector.id,
                    "date_start": datetime(2026, 3, 16, 14, 0),
                    "contact_result": "debtor",
                    "outcome": "refuses",
                }
            )
        )

    def test_manager_scores_the_call(self):
        call = self.call.with_user(self.manager)
        with self._clock_at(self.TODAY):
            call.write({"review_greeted": True, "review_verified": True, "review_options": True})
        self.assertAlmostEqual(call.review_score, 60.0)
        self.assertEqual(call.reviewed_by_id, self.manager)
        self.assertEqual(call.review_date, datetime(2026, 3, 16, 13, 0))  # 10:00 in Santiago
        call.write({"review_amount_due": True, "review_next_steps": True})
        self.assertAlmostEqual(call.review_score, 100.0)
        call.write({"recording": "UklGRg==", "recording_filename": "llamada.wav"})
        attachment = (
            self.env["ir.attachment"]
            .sudo()
            .search(
                [
                    ("res_model", "=", "cobranza.call"),
                    ("res_id", "=", call.id),
                    ("res_field", "=", "recording"),
                ]
            )
        )
        self.assertEqual(len(attachment), 1)
        row = self.env["cobranza.collector.quality"].search([("call_id", "=", call.id)])
        self.assertAlmostEqual(row.review_score, 100.0)

    def test_collector_refused(self):
        with self.assertRaises(AccessError):
            self.call.with_user(self.collector).write({"review_greeted": True})
        with self.assertRaises(AccessError):
            self.call.with_user(self.collector).write({"recording": "UklGRg=="})
        self.assertEqual(self.call.review_score, 0.0)
        self.assertFalse(self.call.reviewed_by_id)

    def test_recorded_fields_refused(self):
        for vals in (
            {"contact_result": "no_answer"},
            {"review_score": 100.0},
            {"reviewed_by_id": self.manager.id},
        ):
            with self.subTest(vals=vals), self.assertRaises(AccessError):
                self.call.with_user(self.manager).write(vals)
        self.assertEqual(self.call.contact_result, "debtor")
