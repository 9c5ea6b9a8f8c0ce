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
