from odoo.tests import tagged

from odoo.addons.account.tests.common import AccountTestInvoicingHttpCommon

from .common import CobranzaCommon


@tagged("post_install", "-at_install")
class TestCobranzaUi(CobranzaCommon, AccountTestInvoicingHttpCommon):
    def test_menu_tour(self):
        """A collector opens the Collection app in the browser and finds the open invoices
        and the customers with debt."""
        invoice = self._invoice(self.customer, 250000, self.TODAY)
        user = self._create_user("tour_collector", "cobranza_telefonica.group_cobranza_collector")
        self.start_tour("/odoo", "cobranza_menu_tour", login=user.login)
        self.assertEqual(invoice.amount_residual, 250000)

    def test_promise_tour(self):
        """A collector records a promise to pay from the Collection menu."""
        invoice = self._invoice(self.customer, 250000, self.TODAY)
        user = self._create_user("tour_promise_collector", "cobranza_telefonica.group_cobranza_collector")
        self.start_tour("/odoo", "cobranza_promise_tour", login=user.login)
        promise = self.env["cobranza.promise"].search([("partner_id", "=", self.customer.id)])
        self.assertEqual(len(promise), 1)
        self.assertEqual((promise.amount, promise.state, promise.user_id), (100000, "open", user))
        self.assertEqual(promise.line_ids.move_id, invoice)
