from odoo.tests import BaseCase, tagged

from ..services import contact_links


@tagged("post_install", "-at_install")
class TestContactLinks(BaseCase):
    def test_chilean_mobiles(self):
        for phone in ("+56 9 8765 4321", "+56987654321", "9 8765 4321", "0056 9 8765 4321"):
            with self.subTest(phone=phone):
                self.assertEqual(contact_links.whatsapp_number(phone), "56987654321")

    def test_not_a_mobile(self):
        for phone in ("", None, "+56 2 2345 6789", "2345 6789 1", "12345", "8765 4321"):
            with self.subTest(phone=phone):
                self.assertIsNone(contact_links.whatsapp_number(phone))

    def test_other_country_kept(self):
        self.assertEqual(contact_links.whatsapp_number("+54 9 11 2345 6789"), "5491123456789")
        self.assertIsNone(contact_links.whatsapp_number("+54 12"))

    def test_url_encodes_text(self):
        url = contact_links.whatsapp_url("56987654321", "Hola: $ 100.000 & https://x.cl/c?a=1")
        self.assertEqual(
            url,
            "https://wa.me/56987654321?text=Hola%3A%20%24%20100.000%20%26%20https%3A%2F%2Fx.cl%2Fc%3Fa%3D1",
        )
