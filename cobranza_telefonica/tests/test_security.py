from odoo.tests import tagged

from .common import CobranzaCommon


@tagged("post_install", "-at_install")
class TestSecurity(CobranzaCommon):
    def test_groups(self):
        collector = self.env.ref("cobranza_telefonica.group_cobranza_collector")
        manager = self.env.ref("cobranza_telefonica.group_cobranza_manager")
        self.assertEqual(collector.category_id, manager.category_id)
        self.assertEqual(collector.category_id, self.env.ref("cobranza_telefonica.module_category_cobranza"))
        self.assertIn(collector, manager.implied_ids)
        self.assertIn(self.env.ref("account.group_account_readonly"), collector.implied_ids)
        self.assertNotIn(self.env.ref("account.group_account_invoice"), collector.implied_ids)
        self.assertIn(manager, self.env.ref("account.group_account_manager").implied_ids)
        self.assertTrue(self.manager.has_group("cobranza_telefonica.group_cobranza_collector"))
        self.assertFalse(self.collector.has_group("cobranza_telefonica.group_cobranza_manager"))

    def _visible_menus(self, user):
        return self.env["ir.ui.menu"].with_user(user)._visible_menu_ids()

    def test_menus_per_group(self):
        root = self.env.ref("cobranza_telefonica.menu_cobranza_root")
        invoices = self.env.ref("cobranza_telefonica.menu_cobranza_invoice")
        config = self.env.ref("cobranza_telefonica.menu_cobranza_config")
        self.assertIn(root.id, self._visible_menus(self.collector))
        self.assertIn(invoices.id, self._visible_menus(self.collector))
        self.assertNotIn(config.id, self._visible_menus(self.collector))
        self.assertNotIn(root.id, self._visible_menus(self.plain_user))

    def test_collector_reads_open_invoices(self):
        invoice = self._invoice(self.customer, 100000, self.TODAY)
        action = self.env.ref("cobranza_telefonica.action_cobranza_invoice")
        domain = [*eval(action.domain), ("id", "=", invoice.id)]  # noqa: S307 - our own action's literal domain
        found = self.env["account.move"].with_user(self.collector).search(domain)
        self.assertEqual(found, invoice)
        self.assertEqual(found.amount_residual, 100000)
