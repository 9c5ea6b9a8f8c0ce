import re
from datetime import datetime, timedelta

from odoo.exceptions import AccessError
from odoo.tests import new_test_user, tagged
from odoo.tools import SQL, format_amount

from odoo.addons.account.tests.common import AccountTestInvoicingHttpCommon

from .common import CobranzaCommon

CSRF_RE = re.compile(r'name="csrf_token"\s+value="([^"]+)"')


@tagged("post_install", "-at_install")
class TestPortal(CobranzaCommon, AccountTestInvoicingHttpCommon):
    """The customer's collection page: who may open it, what it shows and what its forms
    accept, refuse and leave behind."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company.partner_id.tz = "America/Santiago"
        cls.customer.lang = cls.customer_b.lang = "en_US"
        cls.customer.with_company(cls.company).cobranza_collector_id = cls.collector
        today = cls.TODAY
        cls.old = cls._invoice(cls.customer, 100000, today - timedelta(days=40))
        cls.recent = cls._invoice(cls.customer, 50000, today + timedelta(days=10))
        cls.paid = cls._invoice(cls.customer, 30000, today - timedelta(days=5))
        cls._pay(cls.paid, 30000, today - timedelta(days=1))
        cls.other = cls._invoice(cls.customer_b, 70000, today - timedelta(days=10))

    def setUp(self):
        super().setUp()
        self.moment = self.enterContext(self._clock_at(self.TODAY))
        for partner in (self.customer, self.customer_b):
            partner._cobranza_portal_ensure_token(self.company)

    # ------------------------------------------------------------------
    # Helpers
    # ------------------------------------------------------------------

    def _token(self, partner):
        return partner.sudo().cobranza_portal_token

    def _url(self, partner=None, token=None):
        partner = partner or self.customer
        return f"/cobranza/{partner.id}?access_token={token or self._token(partner)}"

    def _post(self, action, data, partner=None, token=None, page_url=None):
        """Open the page (for its CSRF token) then post one of its forms."""
        partner = partner or self.customer
        page = self.url_open(page_url or self._url(partner, token))
        self.assertEqual(page.status_code, 200, page.text[:500])
        csrf = CSRF_RE.search(page.text).group(1)
        fields = [("csrf_token", csrf)]
        if page_url is None:
            fields.append(("access_token", token or self._token(partner)))
        fields += list(data.items()) if isinstance(data, dict) else data
        return self.url_open(f"/cobranza/{partner.id}/{action}", data=fields)

    def _counts(self):
        """How many records an action may write: nothing of it must remain when it is refused."""
        self.env.invalidate_all()
        return {
            "promises": self.env["cobranza.promise"].search_count([]),
            "promise_lines": self.env["cobranza.promise.line"].search_count([]),
            "contacts": self.env["cobranza.contact"].sudo().search_count([]),
            "activities": self.env["mail.activity"].sudo().search_count([]),
            "messages": self.env["mail.message"].sudo().search_count([]),
            "disputed": self.env["account.move"].search_count([("cobranza_dispute", "=", True)]),
        }

    def assertRefused(self, response, counts):
        self.assertEqual(response.status_code, 400, response.text[:500])
        self.assertIn("o_cobranza_portal_error", response.text)
        self.assertEqual(self._counts(), counts, "a refused action leaves nothing behind")

    def _inbound(self, partner=None):
        return (
            self.env["cobranza.contact"]
            .sudo()
            .search([("partner_id", "=", (partner or self.customer).id), ("direction", "=", "inbound")])
        )

    def _sql_receivable(self, partner):
        """What ``partner`` owes the company, summed straight from the journal items."""
        self.env.flush_all()
        [(total,)] = self.env.execute_query(
            SQL(
                """
                SELECT COALESCE(SUM(aml.amount_residual), 0)
                  FROM account_move_line aml
                  JOIN account_account acc ON acc.id = aml.account_id
                  JOIN res_partner line_partner ON line_partner.id = aml.partner_id
                 WHERE acc.account_type = 'asset_receivable' AND aml.parent_state = 'posted'
                   AND line_partner.commercial_partner_id = %s AND aml.company_id = %s
                """,
                partner.id,
                self.company.id,
            )
        )
        return float(total)

    # ------------------------------------------------------------------
    # Access
    # ------------------------------------------------------------------

    def test_page_shows_documents_and_totals(self):
        """The link shows the customer's open documents, per instalment, and the totals of the
        receivable figure, which agree with the journal items."""
        response = self.url_open(self._url())
        self.assertEqual(response.status_code, 200)
        html = response.text
        self.assertIn(self.old.l10n_latam_document_number, html)
        self.assertIn(self.recent.l10n_latam_document_number, html)
        self.assertNotIn(f'data-move-id="{self.paid.id}"', html, "a paid document is not listed")
        self.assertNotIn(self.customer_b.name, html)
        self.assertNotIn(f'data-move-id="{self.other.id}"', html)
        total = self._sql_receivable(self.customer)
        self.assertEqual(total, 150000)
        money = self.customer.with_context(lang="en_US").env
        match = re.search(r'o_cobranza_portal_total">([^<]*)<', html)
        self.assertEqual(match.group(1), format_amount(money, total, self.currency))
        buckets = dict(
            re.findall(r'data-bucket="(\w+)">\s*<td>[^<]*</td>\s*<td class="text-end">([^<]*)<', html)
        )
        self.assertEqual(buckets["31_60"], format_amount(money, 100000, self.currency))
        self.assertEqual(buckets["not_due"], format_amount(money, 50000, self.currency))
        self.assertEqual(buckets["1_30"], format_amount(money, 0, self.currency))
        self.assertIn(self.old.get_portal_url(report_type="pdf", download=True).replace("&", "&amp;"), html)

    def test_refused_links(self):
        """Another customer's token, a tampered, an expired and a revoked one: the same refusal,
        nothing of the customer shown."""
        tokens = {
            "another customer's": self._token(self.customer_b),
            "tampered": self._token(self.customer)[:-1]
            + ("0" if self._token(self.customer)[-1] != "0" else "1"),
            "empty": "",
        }
        for label, token in tokens.items():
            response = self.url_open(f"/cobranza/{self.customer.id}?access_token={token}")
            self.assertEqual(response.status_code, 403, label)
            self.assertIn("o_cobranza_portal_denied", response.text, label)
            self.assertNotIn(self.customer.name, response.text, label)
            self.assertNotIn(self.old.l10n_latam_document_number, response.text, label)
        self.assertEqual(self.url_open("/cobranza/999999999?access_token=x").status_code, 403)
        # Expired: the company's number of days after the link was made.
        later = self.moment + timedelta(days=self.company.cobranza_portal_token_days, seconds=1)
        with self._clock_at(self.TODAY + timedelta(days=self.company.cobranza_portal_token_days + 1)):
            self.assertGreater(self.env["res.company"]._cobranza_now(), later - timedelta(days=1))
            self.assertEqual(self.url_open(self._url()).status_code, 403, "expired")
        # Revoked by a manager: the old link stops working, the new one works.
        old_token = self._token(self.customer)
        with self.assertRaises(AccessError):
            self.customer.with_user(self.collector).action_cobranza_portal_revoke()
        self.customer.with_user(self.manager).action_cobranza_portal_revoke()
        self.assertEqual(self.url_open(self._url(token=old_token)).status_code, 403, "revoked")
        self.assertEqual(self.url_open(self._url()).status_code, 200)

    def test_portal_user(self):
        """A portal user of the customer sees its page at /my/cobranza; another customer's portal
        user cannot open it without the link, nor an internal user."""
        contact = self.env["res.partner"].create({"name": "Ana Robles", "parent_id": self.customer.id})
        portal = new_test_user(
            self.env, login="robles_portal", groups="base.group_portal", partner_id=contact.id
        )
        other_contact = self.env["res.partner"].create(
            {"name": "Juan Pérez hijo", "parent_id": self.customer_b.id}
        )
        new_test_user(self.env, login="perez_portal", groups="base.group_portal", partner_id=other_contact.id)
        self.authenticate(portal.login, portal.login)
        response = self.url_open("/my/cobranza")
        self.assertEqual(response.status_code, 200)
        self.assertIn(self.old.l10n_latam_document_number, response.text)
        self.assertNotIn(f'data-move-id="{self.other.id}"', response.text)
        self.authenticate("perez_portal", "perez_portal")
        response = self.url_open(f"/cobranza/{self.customer.id}")
        self.assertEqual(response.status_code, 403)
        self.assertNotIn(self.old.l10n_latam_document_number, response.text)
        self.authenticate(self.collector.login, self.collector.login)
        self.assertEqual(self.url_open(f"/cobranza/{self.customer.id}").status_code, 403)

    def test_spanish(self):
        """The page and the refusal speak the customer's Spanish, and so do the form's messages."""
        self.env["res.lang"]._activate_lang("es_419")
        self.env["ir.module.module"]._load_module_terms(["cobranza_telefonica"], ["es_419"], overwrite=True)
        self.customer.lang = "es_419"
        page = self.url_open(self._url())
        self.assertIn("Su cuenta con nosotros", page.text)
        self.assertIn("Promesa de pago", page.text)
        refused = self.url_open(f"/cobranza/{self.customer.id}?access_token=nada")
        self.assertIn("Este enlace no funciona", refused.text)
        response = self._post("dispute", {"move_id": self.paid.id, "kind": "other"})
        self.assertIn("ya está pagado", response.text)

    # ------------------------------------------------------------------
    # Promise to pay
    # ------------------------------------------------------------------

    def test_promise(self):
        """A promise on the chosen documents with channel portal, for the customer's collector,
        with a to-do, a chatter note and an inbound contact the contact limits do not count."""
        before = self._counts()
        response = self._post(
            "promise",
            [
                ("move_ids", str(self.old.id)),
                ("amount", "80000"),
                ("date", str(self.TODAY + timedelta(days=7))),
            ],
        )
        self.assertEqual(response.status_code, 200, response.text[:500])
        self.assertIn("o_cobranza_portal_message", response.text)
        promise = self.env["cobranza.promise"].search([("partner_id", "=", self.customer.id)])
        self.assertRecordValues(
            promise,
            [{"channel": "portal", "state": "open", "amount": 80000, "user_id": self.collector.id}],
        )
        self.assertEqual(promise.line_ids.move_id, self.old)
        self.assertEqual(promise.date_made, self.TODAY)
        todo = self.env["mail.activity"].search(
            [("res_model", "=", "cobranza.promise"), ("res_id", "=", promise.id)]
        )
        self.assertEqual(
            (todo.user_id, todo.activity_type_id),
            (self.collector, self.env.ref("mail.mail_activity_data_todo")),
        )
        self.assertEqual(len(self._inbound()), 1)
        self.assertEqual(self._counts()["contacts"], before["contacts"] + 1)
        self.assertIn("promised on its collection page", self.customer.message_ids[0].body)
        self.assertNotIn((self.customer.id, "message"), self._gate_history())
        self.assertIn("80,000", self.url_open(self._url()).text.split("o_cobranza_portal_promises")[1][:300])

    def _gate_history(self):
        gate = self.env["cobranza.contact.gate"]
        return gate._cobranza_data(self.company, self.customer, self.env["res.company"]._cobranza_now())[
            "history"
        ]

    def test_promise_refused(self):
        """Another customer's document, more than is owed, a date past the horizon or in the past,
        nothing chosen, a bad amount: refused with a message, nothing written."""
        counts = self._counts()
        next_week = str(self.TODAY + timedelta(days=7))
        cases = {
            "another customer's document": [
                ("move_ids", str(self.old.id)),
                ("move_ids", str(self.other.id)),
                ("amount", "1000"),
                ("date", next_week),
            ],
            "a paid document": [("move_ids", str(self.paid.id)), ("amount", "1000"), ("date", next_week)],
            "above what is owed": [("move_ids", str(self.old.id)), ("amount", "100001"), ("date", next_week)],
            "past the horizon": [
                ("move_ids", str(self.old.id)),
                ("amount", "1000"),
                ("date", str(self.TODAY + timedelta(days=self.company.cobranza_promise_horizon_days + 1))),
            ],
            "in the past": [
                ("move_ids", str(self.old.id)),
                ("amount", "1000"),
                ("date", str(self.TODAY - timedelta(days=1))),
            ],
            "no document": [("amount", "1000"), ("date", next_week)],
            "not a number": [("move_ids", str(self.old.id)), ("amount", "mil"), ("date", next_week)],
            "infinite": [("move_ids", str(self.old.id)), ("amount", "inf"), ("date", next_week)],
            "no date": [("move_ids", str(self.old.id)), ("amount", "1000"), ("date", "mañana")],
        }
        for label, data in cases.items():
            with self.subTest(label):
                self.assertRefused(self._post("promise", data), counts)

    def test_promise_rate_limit(self):
        self.company.cobranza_portal_max_actions = 1
        next_week = str(self.TODAY + timedelta(days=7))
        data = [("move_ids", str(self.recent.id)), ("amount", "1000"), ("date", next_week)]
        self.assertEqual(self._post("promise", data).status_code, 200)
        counts = self._counts()
        response = self._post("promise", data)
        self.assertRefused(response, counts)
        self.assertIn("in the last hour", response.text)

    def test_csrf_required(self):
        counts = self._counts()
        response = self.url_open(
            f"/cobranza/{self.customer.id}/promise",
            data={
                "access_token": self._token(self.customer),
                "move_ids": self.old.id,
                "amount": "1000",
                "date": str(self.TODAY + timedelta(days=7)),
            },
        )
        self.assertIn(response.status_code, (400, 403))
        self.assertEqual(self._counts(), counts)

    # ------------------------------------------------------------------
    # Dispute
    # ------------------------------------------------------------------

    def test_dispute(self):
        """The document leaves the follow-up with the reason chosen, the comment kept as text and
        shown escaped, a to-do for the collector and an inbound contact."""
        comment = '<script>alert("x")</script><b>mal</b>'
        response = self._post("dispute", {"move_id": self.old.id, "kind": "wrong_amount", "comment": comment})
        self.assertEqual(response.status_code, 200, response.text[:500])
        self.assertRecordValues(
            self.old, [{"cobranza_dispute": True, "cobranza_dispute_kind": "wrong_amount"}]
        )
        self.assertIn(comment, self.old.cobranza_dispute_reason)
        self.assertEqual(self.old._cobranza_exclusion_reasons(), {self.old.id: "dispute"})
        body = str(self.customer.message_ids[0].body)
        self.assertNotIn("<script>", body)
        self.assertNotIn("<b>mal", body)
        self.assertIn("&lt;script&gt;", body)
        todo = self.env["mail.activity"].search(
            [("res_model", "=", "account.move"), ("res_id", "=", self.old.id)]
        )
        self.assertEqual(todo.user_id, self.collector)
        self.assertEqual(len(self._inbound()), 1)
        self.assertNotIn("<script>alert", self.url_open(self._url()).text)

    def test_dispute_refused(self):
        counts = self._counts()
        cases = {
            "a paid document": {"move_id": self.paid.id, "kind": "other"},
            "another customer's document": {"move_id": self.other.id, "kind": "other"},
            "no such document": {"move_id": 999999999, "kind": "other"},
            "not an id": {"move_id": "abc", "kind": "other"},
            "a reason not in the list": {"move_id": self.old.id, "kind": "because"},
            "a comment too long": {"move_id": self.old.id, "kind": "other", "comment": "x" * 2001},
        }
        for label, data in cases.items():
            with self.subTest(label):
                self.assertRefused(self._post("dispute", data), counts)
        self.assertFalse(self.other.cobranza_dispute)

    # ------------------------------------------------------------------
    # Ask for a call
    # ------------------------------------------------------------------

    def test_call_request(self):
        """A collection call at the slot chosen (company local time) for the customer's collector."""
        day = self.TODAY + timedelta(days=1)  # a Tuesday
        response = self._post("call", {"company_id": self.company.id, "day": str(day), "slot": "10:30"})
        self.assertEqual(response.status_code, 200, response.text[:500])
        call = self.env["mail.activity"].search(
            [
                ("res_model", "=", "res.partner"),
                ("res_id", "=", self.customer.id),
                ("cobranza_is_call", "=", True),
            ]
        )
        self.assertEqual(len(call), 1)
        self.assertEqual(call.user_id, self.collector)
        self.assertEqual(call.date_deadline, day)
        self.assertEqual(self.company._cobranza_local(call.cobranza_call_at), datetime(2026, 3, 17, 10, 30))
        self.assertEqual(call.cobranza_company_id, self.company)
        self.assertEqual(len(self._inbound()), 1)
        # A second request moves the same call: one open call per customer.
        self._post("call", {"company_id": self.company.id, "day": str(day), "slot": "16:00"})
        call.invalidate_recordset()
        self.assertEqual(self.company._cobranza_local(call.cobranza_call_at), datetime(2026, 3, 17, 16, 0))
        self.assertEqual(len(self._inbound()), 2)
        self.assertFalse(self._gate_history(), "inbound contacts are not counted by the contact limits")
        self.assertTrue(self.customer._cobranza_contact_check("call")["allowed"])

    def test_call_refused(self):
        self.env["cobranza.holiday"].create(
            {"name": "Aniversario", "date": self.TODAY + timedelta(days=2), "company_id": self.company.id}
        )
        counts = self._counts()
        cases = {
            "a Sunday": {"day": str(self.TODAY - timedelta(days=1) + timedelta(days=7)), "slot": "10:00"},
            "at 21:00": {"day": str(self.TODAY + timedelta(days=1)), "slot": "21:00"},
            "at 07:30": {"day": str(self.TODAY + timedelta(days=1)), "slot": "07:30"},
            "a holiday": {"day": str(self.TODAY + timedelta(days=2)), "slot": "10:00"},
            "in the past": {"day": str(self.TODAY), "slot": "09:00"},
            "too far": {"day": str(self.TODAY + timedelta(days=45)), "slot": "10:00"},
            "no slot": {"day": str(self.TODAY + timedelta(days=1)), "slot": "10h"},
        }
        for label, data in cases.items():
            with self.subTest(label):
                self.assertRefused(self._post("call", {"company_id": self.company.id, **data}), counts)
        other_company = self.env["res.company"].create({"name": "Otra empresa"})
        self.assertRefused(
            self._post(
                "call",
                {"company_id": other_company.id, "day": str(self.TODAY + timedelta(days=1)), "slot": "10:00"},
            ),
            counts,
        )

    # ------------------------------------------------------------------
    # Links in e-mails and letters
    # ------------------------------------------------------------------

    def test_links(self):
        """The link of the e-mails and letters opens the customer's page; tokens for a batch are
        made in one query."""
        partners = self.env["res.partner"].create(
            [{"name": f"Cliente {index}", "is_company": True} for index in range(5)]
        )
        with self.assertQueryCount(1):
            partners._cobranza_portal_ensure_token(self.company)
        tokens = partners.sudo().mapped("cobranza_portal_token")
        self.assertEqual(len(set(tokens)), 5)
        self.assertTrue(all(len(token) == 64 for token in tokens))
        partners._cobranza_portal_ensure_token(self.company)
        self.assertEqual(partners.sudo().mapped("cobranza_portal_token"), tokens, "a valid link is kept")
        link = self.old._cobranza_portal_link()
        self.assertTrue(link.endswith(self._url()))
        self.assertEqual(self.url_open(link.replace(self.old.get_base_url(), "")).status_code, 200)
        html = (
            self.env["ir.actions.report"]
            ._render_qweb_html("cobranza_telefonica.report_cobranza_letter", self.old.ids)[0]
            .decode()
        )
        self.assertIn(self._token(self.customer), html)
        self.assertIn("data:image/png;base64,", html)


@tagged("post_install", "-at_install")
class TestPortalTour(CobranzaCommon, AccountTestInvoicingHttpCommon):
    """The collection page in the browser: as a visitor with the link, and as a portal user."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company.partner_id.tz = "America/Santiago"
        cls.customer.lang = "en_US"
        cls.customer.with_company(cls.company).cobranza_collector_id = cls.collector

    def _run(self, tour, url, login=None):
        today = self._open_day(days=3, start=self.TODAY)
        with self._clock_at(today):
            invoice = self._invoice(self.customer, 250000, today - timedelta(days=20))
            self.customer._cobranza_portal_ensure_token(self.company)
            url = (
                url
                or f"/cobranza/{self.customer.id}?access_token={self.customer.sudo().cobranza_portal_token}"
            )
            self.start_tour(url, tour, login=login)
        promise = self.env["cobranza.promise"].search([("partner_id", "=", self.customer.id)])
        self.assertRecordValues(promise, [{"channel": "portal", "amount": 10000, "state": "open"}])
        self.assertRecordValues(
            invoice, [{"cobranza_dispute": True, "cobranza_dispute_kind": "wrong_amount"}]
        )
        call = self.env["mail.activity"].search(
            [
                ("res_model", "=", "res.partner"),
                ("res_id", "=", self.customer.id),
                ("cobranza_is_call", "=", True),
            ]
        )
        self.assertEqual(
            self.company._cobranza_local(call.cobranza_call_at).date(), today + timedelta(days=1)
        )
        contacts = self.env["cobranza.contact"].sudo().search([("partner_id", "=", self.customer.id)])
        self.assertEqual(contacts.mapped("direction"), ["inbound"] * 3)

    def test_anonymous_tour(self):
        self._run("cobranza_portal_tour", None)

    def test_portal_user_tour(self):
        contact = self.env["res.partner"].create({"name": "Ana Robles", "parent_id": self.customer.id})
        new_test_user(self.env, login="robles_tour", groups="base.group_portal", partner_id=contact.id)
        self._run("cobranza_portal_my_tour", "/my", login="robles_tour")


@tagged("post_install", "-at_install")
class TestPortalMail(CobranzaCommon):
    """The follow-up run's e-mails carry the link to the customer's page, made for the batch."""

    def test_followup_email_link(self):
        invoice = self._invoice(self.customer, 100000, self.TODAY - timedelta(days=10))
        with self._clock_at(self.TODAY):
            run = self.env["cobranza.followup.run"].sudo().create({"company_id": self.company.id})
            run._ensure_portal_tokens(invoice.ids)
            token = self.customer.sudo().cobranza_portal_token
            self.assertTrue(token)
            self.assertEqual(self.customer.sudo().cobranza_portal_company_id, self.company)
            template = self.env.ref("cobranza_telefonica.mail_template_cobranza_overdue")
            body = template._render_field("body_html", invoice.ids)[invoice.id]
        self.assertIn(f"/cobranza/{self.customer.id}?access_token={token}", str(body))
