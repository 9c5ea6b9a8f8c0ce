from datetime import timedelta
from urllib.parse import parse_qs, urlsplit

from odoo import Command
from odoo.tests import new_test_user, tagged
from odoo.tests.common import JsonRpcException

from odoo.addons.account.tests.common import AccountTestInvoicingHttpCommon

from .common import CobranzaCommon
from .test_portal import CSRF_RE


class PortalPaymentCommon(CobranzaCommon, AccountTestInvoicingHttpCommon):
    """A customer with open invoices and Odoo's demo payment provider (payment_demo, installed in
    the test database by scripts/test.sh) in test mode for the company."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company.partner_id.tz = "America/Santiago"
        cls.customer.lang = cls.customer_b.lang = "en_US"
        cls.customer.with_company(cls.company).cobranza_collector_id = cls.collector
        base = cls.env.ref("payment.payment_provider_demo").sudo()
        cls.provider = base.copy({"name": "Demo", "company_id": cls.company.id})
        cls.provider.write(
            {
                "state": "test",
                "is_published": True,
                "journal_id": cls.company_data["default_journal_bank"].id,
                "payment_method_ids": [Command.set(base.payment_method_ids.ids)],
            }
        )
        cls.payment_method = cls.env.ref("payment_demo.payment_method_demo")

    def _token(self, partner=None):
        return (partner or self.customer).sudo().cobranza_portal_token

    def _page(self, partner=None):
        partner = partner or self.customer
        return f"/cobranza/{partner.id}?access_token={self._token(partner)}"

    def _counts(self):
        self.env.invalidate_all()
        return {
            "transactions": self.env["payment.transaction"].sudo().search_count([]),
            "payments": self.env["account.payment"].sudo().search_count([]),
            "contacts": self.env["cobranza.contact"].sudo().search_count([]),
            "messages": self.env["mail.message"].sudo().search_count([]),
        }


@tagged("post_install", "-at_install")
class TestPortalPayment(PortalPaymentCommon):
    """Paying online from the collection page: the documents chosen are checked on the server,
    Odoo's payment flow takes the amount the receivable figure says is owed, and the payment
    posts, reconciles, is logged as an inbound contact and noted in the customer's chatter."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        today = cls.TODAY
        cls.old = cls._invoice(cls.customer, 100000, today - timedelta(days=40))
        cls.recent = cls._invoice(cls.customer, 50000, today + timedelta(days=10))
        cls.third = cls._invoice(cls.customer, 20000, today - timedelta(days=3))
        cls.paid = cls._invoice(cls.customer, 30000, today - timedelta(days=5))
        cls._pay(cls.paid, 30000, today - timedelta(days=1))
        cls.other = cls._invoice(cls.customer_b, 70000, today - timedelta(days=10))

    def setUp(self):
        super().setUp()
        self.enterContext(self._clock_at(self.TODAY))
        for partner in (self.customer, self.customer_b):
            partner._cobranza_portal_ensure_token(self.company)

    def _post_pay(self, move_ids, partner=None, token=None):
        partner = partner or self.customer
        page = self.url_open(self._page(partner))
        self.assertEqual(page.status_code, 200, page.text[:500])
        data = [
            ("csrf_token", CSRF_RE.search(page.text).group(1)),
            ("access_token", token or self._token(partner)),
        ]
        data += [("move_ids", str(move_id)) for move_id in move_ids]
        return self.url_open(f"/cobranza/{partner.id}/pay", data=data, allow_redirects=False)

    def _transaction(self, query, amount=1.0, partner=None, landing=None):
        """Post Odoo's payment form as its JavaScript does (the amount the browser sends is
        ignored: the server takes what is owed)."""
        partner = partner or self.customer
        route = f"/cobranza/{partner.id}/transaction/{query['cobranza_moves'][0]}"
        return self.make_jsonrpc_request(
            route,
            {
                "provider_id": self.provider.id,
                "payment_method_id": self.payment_method.id,
                "token_id": None,
                "amount": amount,
                "flow": "direct",
                "tokenization_requested": False,
                "landing_route": landing or self._page(partner),
                "is_validation": False,
                "access_token": query["cobranza_token"][0],
            },
        )

    def test_pay_two_invoices(self):
        """Two of three invoices paid with the demo provider: both paid in full, the third still
        owed, the receivable figure down by exactly what was paid."""
        Receivable = self.env["cobranza.receivable"]
        before = Receivable._cobranza_figure(self.customer, self.company).balance
        self.assertEqual(before, 170000)
        page = self.url_open(self._page())
        self.assertIn("o_cobranza_portal_pay_form", page.text)
        counts = self._counts()

        response = self._post_pay([self.old.id, self.recent.id])
        self.assertEqual(response.status_code, 303, response.text[:500])
        location = urlsplit(response.headers["Location"])
        self.assertEqual(location.path, "/payment/pay")
        query = parse_qs(location.query)
        self.assertEqual(float(query["amount"][0]), 150000)
        self.assertEqual(int(query["currency_id"][0]), self.currency.id)
        self.assertEqual(int(query["company_id"][0]), self.company.id)
        self.assertEqual(self._counts(), counts, "choosing the documents writes nothing")

        form = self.url_open(f"{location.path}?{location.query}")
        self.assertEqual(form.status_code, 200, form.text[:500])
        self.assertIn(f"/cobranza/{self.customer.id}/transaction/{query['cobranza_moves'][0]}", form.text)
        self.assertIn(f'data-provider-id="{self.provider.id}"', form.text)

        processing = self._transaction(query)
        tx = self.env["payment.transaction"].sudo().search([("reference", "=", processing["reference"])])
        self.assertRecordValues(
            tx,
            [{"amount": 150000, "currency_id": self.currency.id, "partner_id": self.customer.id}],
        )
        self.assertEqual(tx.invoice_ids, self.old + self.recent)
        self.assertEqual(tx.cobranza_partner_id, self.customer)

        self.make_jsonrpc_request(
            "/payment/demo/simulate_payment",
            {"reference": tx.reference, "payment_details": "4242", "simulated_state": "done"},
        )
        status = self.make_jsonrpc_request("/payment/status/poll", {})
        self.assertEqual(status["state"], "done")
        self.env.invalidate_all()
        self.assertTrue(tx.payment_id)
        self.assertEqual(tx.payment_id.state, "paid")
        for move in self.old + self.recent:
            self.assertEqual(move.amount_residual, 0)
            self.assertIn(move.payment_state, ("paid", "in_payment"))
        self.assertEqual(self.third.amount_residual, 20000)
        after = Receivable._cobranza_figure(self.customer, self.company).balance
        self.assertEqual(before - after, 150000)

        contacts = self.env["cobranza.contact"].sudo().search([("partner_id", "=", self.customer.id)])
        self.assertRecordValues(contacts, [{"channel": "portal", "direction": "inbound"}])
        self.assertIn("paid $", contacts.note)
        self.assertIn("online on its collection page", str(self.customer.message_ids[0].body))

        landing = self.url_open(status["landing_route"])
        self.assertEqual(landing.status_code, 200)
        self.assertIn("Thank you: your payment was received.", landing.text)
        self.assertNotIn(f'data-move-id="{self.old.id}"', landing.text)
        self.assertIn(f'data-move-id="{self.third.id}"', landing.text)

        # Post-processed once: polling again logs nothing more.
        self.make_jsonrpc_request("/payment/status/poll", {})
        self.assertEqual(
            self.env["cobranza.contact"].sudo().search_count([("partner_id", "=", self.customer.id)]), 1
        )

    def test_pay_refused(self):
        """Another customer's document, a paid one, none, an unknown id: refused on the page with a
        message, nothing created."""
        counts = self._counts()
        cases = {
            "another customer's document": [self.old.id, self.other.id],
            "a paid document": [self.paid.id],
            "no document": [],
            "no such document": [999999999],
        }
        for label, move_ids in cases.items():
            with self.subTest(label):
                response = self._post_pay(move_ids)
                self.assertEqual(response.status_code, 400, label)
                self.assertIn("o_cobranza_portal_error", response.text)
                self.assertEqual(self._counts(), counts)

    def test_pay_other_currency_refused(self):
        usd = self.setup_other_currency("USD")
        dollars = self._invoice(self.customer, 100, self.TODAY - timedelta(days=2), post=False)
        dollars.currency_id = usd
        dollars.action_post()
        counts = self._counts()
        response = self._post_pay([self.old.id, dollars.id])
        self.assertEqual(response.status_code, 400)
        self.assertIn("pay the documents of each currency separately", response.text)
        self.assertEqual(self._counts(), counts)
        # One currency at a time is accepted, for what that document owes in its own currency.
        response = self._post_pay([dollars.id])
        self.assertEqual(response.status_code, 303)
        query = parse_qs(urlsplit(response.headers["Location"]).query)
        self.assertEqual((float(query["amount"][0]), int(query["currency_id"][0])), (100, usd.id))

    def test_transaction_refused(self):
        """The transaction route checks again: a tampered signature, another customer's documents
        under this customer's signature, a document paid since, a provider of another company."""
        response = self._post_pay([self.old.id])
        query = parse_qs(urlsplit(response.headers["Location"]).query)
        counts = self._counts()
        token = query["cobranza_token"][0]
        # One character changed (never the same one again: a token ending in "0" stays itself).
        tampered = dict(query, cobranza_token=[token[:-1] + ("1" if token[-1] == "0" else "0")])
        other = dict(query, cobranza_moves=[str(self.other.id)])
        for label, values in {"tampered": tampered, "another customer's": other}.items():
            with self.subTest(label), self.assertRaises(JsonRpcException):
                self._transaction(values)
            self.assertEqual(self._counts(), counts)
        other_company = self.env["res.company"].create({"name": "Otra empresa"})
        provider = self.provider
        self.provider = self.provider.sudo().copy({"company_id": other_company.id, "state": "test"})
        with self.assertRaises(JsonRpcException):
            self._transaction(query)
        self.provider = provider
        self._pay(self.old, 100000, self.TODAY)
        with self.assertRaises(JsonRpcException):
            self._transaction(query)
        self.assertEqual(self.env["payment.transaction"].sudo().search_count([]), counts["transactions"])

    def test_portal_user_pays(self):
        """A portal user of the customer pays from /my/cobranza; the payment is the customer's."""
        contact = self.env["res.partner"].create({"name": "Ana Robles", "parent_id": self.customer.id})
        portal = new_test_user(
            self.env, login="robles_pay", groups="base.group_portal", partner_id=contact.id
        )
        self.authenticate(portal.login, portal.login)
        page = self.url_open("/my/cobranza")
        self.assertIn("o_cobranza_portal_pay_form", page.text)
        data = [("csrf_token", CSRF_RE.search(page.text).group(1)), ("move_ids", str(self.third.id))]
        response = self.url_open(f"/cobranza/{self.customer.id}/pay", data=data, allow_redirects=False)
        self.assertEqual(response.status_code, 303, response.text[:500])
        location = urlsplit(response.headers["Location"])
        query = parse_qs(location.query)
        form = self.url_open(f"{location.path}?{location.query}")
        self.assertEqual(form.status_code, 200)
        self.assertIn('data-landing-route="/my/cobranza"', form.text)
        processing = self._transaction(query, landing="/my/cobranza")
        tx = self.env["payment.transaction"].sudo().search([("reference", "=", processing["reference"])])
        self.assertEqual((tx.partner_id, tx.amount, tx.invoice_ids), (contact, 20000, self.third))
        self.assertTrue(tx.landing_route.startswith("/my/cobranza?payment_tx="))


@tagged("post_install", "-at_install")
class TestPortalPaymentTour(PortalPaymentCommon):
    """The pay button in the browser: a visitor with the link pays two documents with the demo
    provider and comes back to its page."""

    def _reached_call(self, moment):
        return (
            self.env["cobranza.call"]
            .with_user(self.collector)
            ._cobranza_record(
                {
                    "partner_id": self.customer,
                    "contact_result": "debtor",
                    "outcome": "refuses",
                    "date_start": moment,
                }
            )
        )

    def test_pay_tour(self):
        """A visitor with the link rates the last call on Odoo's rating page, comes back to the
        page and pays two documents with the demo provider."""
        today = self._open_day(days=3, start=self.TODAY)
        with self._clock_at(today) as moment:
            first = self._invoice(self.customer, 120000, today - timedelta(days=20))
            second = self._invoice(self.customer, 80000, today - timedelta(days=5))
            call = self._reached_call(moment)
            self.customer._cobranza_portal_ensure_token(self.company)
            before = self.env["cobranza.receivable"]._cobranza_figure(self.customer, self.company).balance
            self.start_tour(self._page(), "cobranza_portal_pay_tour")
            after = self.env["cobranza.receivable"]._cobranza_figure(self.customer, self.company).balance
        self.assertEqual((first + second).mapped("amount_residual"), [0, 0])
        self.assertEqual(before - after, 200000)
        tx = self.env["payment.transaction"].sudo().search([("cobranza_partner_id", "=", self.customer.id)])
        self.assertRecordValues(tx, [{"state": "done", "amount": 200000}])
        self.assertEqual(call.sudo().rating_last_value, 5)
        inbound = (
            self.env["cobranza.contact"]
            .sudo()
            .search([("partner_id", "=", self.customer.id), ("direction", "=", "inbound")])
        )
        self.assertEqual(len(inbound), 2, "the rating and the payment, each logged once")

    def test_portal_user_pays_and_rates_tour(self):
        """A portal user of the customer opens its collection page from its portal, rates the last
        call that reached it and pays its open documents with the demo provider."""
        today = self._open_day(days=3, start=self.TODAY)
        with self._clock_at(today) as moment:
            invoice = self._invoice(self.customer, 90000, today - timedelta(days=15))
            call = self._reached_call(moment)
            self.customer._cobranza_portal_ensure_token(self.company)
            contact = self.env["res.partner"].create({"name": "Ana Robles", "parent_id": self.customer.id})
            new_test_user(
                self.env, login="robles_pay_tour", groups="base.group_portal", partner_id=contact.id
            )
            self.start_tour("/my", "cobranza_portal_pay_rate_my_tour", login="robles_pay_tour")
        self.assertEqual(invoice.amount_residual, 0)
        tx = self.env["payment.transaction"].sudo().search([("cobranza_partner_id", "=", self.customer.id)])
        self.assertRecordValues(tx, [{"state": "done", "amount": 90000}])
        call.invalidate_recordset()
        self.assertEqual(call.sudo().rating_last_value, 5)
        self.assertEqual(call.sudo().rating_ids.feedback, "Very kind and clear")
        inbound = (
            self.env["cobranza.contact"]
            .sudo()
            .search([("partner_id", "=", self.customer.id), ("direction", "=", "inbound")])
        )
        self.assertEqual(len(inbound), 2, "the payment and the rating, each logged once")
