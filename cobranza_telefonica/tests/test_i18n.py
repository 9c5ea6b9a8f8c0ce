import polib

from odoo.tests import TransactionCase, tagged
from odoo.tools.misc import file_path
from odoo.tools.translate import TranslationModuleReader


@tagged("post_install", "-at_install")
class TestTranslations(TransactionCase):
    """The UI speaks Spanish: every term of the module is translated in es_419.po."""

    def test_every_term_translated(self):
        po_path = file_path("cobranza_telefonica/i18n/es_419.po")
        translated = {entry.msgid for entry in polib.pofile(po_path) if entry.msgstr}
        terms = {
            source
            for module, _type, _name, _res_id, source, _value, _comments in TranslationModuleReader(
                self.env.cr, ["cobranza_telefonica"]
            )
            if module == "cobranza_telefonica" and source.strip()
        }
        self.assertGreater(len(terms), 20)
        missing = sorted(terms - translated)
        self.assertFalse(missing, f"untranslated in es_419.po (run scripts/i18n.sh): {missing}")

    def test_groups_in_spanish(self):
        self.env["res.lang"]._activate_lang("es_419")
        self.env["ir.module.module"]._load_module_terms(["cobranza_telefonica"], ["es_419"], overwrite=True)
        collector = self.env.ref("cobranza_telefonica.group_cobranza_collector").with_context(lang="es_419")
        manager = self.env.ref("cobranza_telefonica.group_cobranza_manager").with_context(lang="es_419")
        self.assertEqual(collector.name, "Gestor de cobranza")
        self.assertEqual(manager.name, "Jefe de cobranza")
        menu = self.env.ref("cobranza_telefonica.menu_cobranza_root").with_context(lang="es_419")
        self.assertEqual(menu.name, "Cobranza")
