from odoo.tests import tagged

from .common import CobranzaCommon


@tagged("post_install", "-at_install")
class TestCollectorAssignment(CobranzaCommon):
    def test_customer_collector_first(self):
        self.customer.with_company(self.company).cobranza_collector_id = self.collector
        invoice = self._invoice(self.customer, 1000, self.TODAY)
        invoice_user = self.manager
        invoice.invoice_user_id = invoice_user
        self.assertEqual(invoice.cobranza_collector_id, self.collector)

    def test_salesperson_when_collector_else_default(self):
        self.company.cobranza_default_collector_id = self.manager
        invoice = self._invoice(self.customer_b, 1000, self.TODAY)
        invoice.invoice_user_id = self.collector
        self.assertEqual(invoice.cobranza_collector_id, self.collector)
        invoice.invoice_user_id = self.plain_user
        self.assertEqual(
            invoice.cobranza_collector_id, self.manager, "a non-collector falls back to the default"
        )

    def test_debtor_type(self):
        self.assertEqual(self.customer.cobranza_debtor_type, "company")
        self.assertEqual(self.customer_b.cobranza_debtor_type, "person")


@tagged("post_install", "-at_install")
class TestExclusionBase(CobranzaCommon):
    def test_dispute_and_hold_exclude(self):
        disputed = self._invoice(self.customer, 1000, self.TODAY)
        clean = self._invoice(self.customer, 2000, self.TODAY)
        held = self._invoice(self.customer_b, 3000, self.TODAY)
        disputed.cobranza_dispute = True
        self.customer_b.with_company(self.company).cobranza_on_hold = True
        moves = (disputed | clean | held).with_company(self.company)
        self.assertEqual(moves._cobranza_exclusion_reasons(), {disputed.id: "dispute", held.id: "on_hold"})
