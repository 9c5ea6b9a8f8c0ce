from datetime import datetime, timedelta
from pathlib import Path

from lxml import etree

from odoo.tests import BaseCase, tagged

from ..services import sii_client
from . import sii_double
from .sii_certificate import make_pkcs12

WSDL = Path(__file__).parent.parent / "data" / "sii_wsdl"
PASSWORD = b"clave-de-prueba"


@tagged("post_install", "-at_install")
class TestSiiClient(BaseCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.p12 = make_pkcs12(PASSWORD)
        cls.key, cls.certificate = sii_client.load_certificate(cls.p12, PASSWORD)

    def setUp(self):
        super().setUp()
        # Odoo raises any timeout under 10 s to 10 s in tests: the slow answer waits longer.
        self.sii = sii_double.SiiDouble(slow_seconds=11)
        self.sii.__enter__()
        self.addCleanup(self.sii.__exit__)
        self.now = datetime(2026, 3, 16, 12, 0)
        self.client = sii_client.SiiClient(
            "certification",
            self.key,
            self.certificate,
            WSDL,
            endpoints=self.sii.endpoints,
            timeout=1,
            now=lambda: self.now,
        )
        sii_client.drop_token(self.client.token_key)

    def test_seed_signed_with_a_throwaway_certificate(self):
        signed = sii_client.seed_request("039912345678", self.key, self.certificate)
        self.assertTrue(sii_client.verify_enveloped(signed))
        root = etree.fromstring(signed)
        self.assertEqual(root.findtext("item/Semilla"), "039912345678")
        dsig = "{http://www.w3.org/2000/09/xmldsig#}"
        self.assertEqual(
            root.find(f"{dsig}Signature/{dsig}SignedInfo/{dsig}SignatureMethod").get("Algorithm"),
            "http://www.w3.org/2000/09/xmldsig#rsa-sha1",
        )
        self.assertIsNotNone(root.find(f".//{dsig}X509Certificate"))
        self.assertIsNotNone(root.find(f".//{dsig}RSAKeyValue/{dsig}Modulus"))
        # a seed changed after signing no longer verifies
        self.assertFalse(sii_client.verify_enveloped(signed.replace(b"039912345678", b"039912345679")))

    def test_wrong_certificate_password(self):
        with self.assertRaises(sii_client.SiiError) as caught:
            sii_client.load_certificate(self.p12, b"otra-clave")
        self.assertEqual(caught.exception.code, "certificate_password")
        with self.assertRaises(sii_client.SiiError) as caught:
            sii_client.load_certificate(b"not a certificate", PASSWORD)
        self.assertIn(caught.exception.code, ("certificate", "certificate_password"))

    def test_token_cached_until_it_expires(self):
        token = self.client.token()
        self.assertEqual(token, "TOKEN0001")
        self.assertEqual(self.sii.bad_signatures, 0)
        self.assertEqual(self.client.token(), token)
        self.assertEqual(self.sii.calls.count("getSeed"), 1)
        self.now += sii_client.TOKEN_LIFETIME + timedelta(seconds=1)
        self.assertEqual(self.client.token(), "TOKEN0002")
        self.assertEqual(self.sii.calls.count("getSeed"), 2)

    def test_accepted_claimed_no_events_not_found(self):
        accepted = self.client.events("76086428-5", 33, sii_double.ACCEPTED)
        self.assertEqual(accepted.code, 15)
        self.assertEqual(sii_client.state_of(accepted), ("accepted", "ACD", datetime(2026, 2, 5, 10, 15)))
        self.assertEqual(accepted.events[0].responsible_vat, "76201224-3")
        claimed = self.client.events("76086428-5", 33, sii_double.CLAIMED)
        self.assertEqual([event.code for event in claimed.events], ["ERM", "RCD"])
        self.assertEqual(sii_client.state_of(claimed), ("claimed", "RCD", datetime(2026, 2, 4, 16, 40)))
        nothing = self.client.events("76086428-5", 33, sii_double.NO_EVENTS)
        self.assertEqual((nothing.code, nothing.events), (16, ()))
        self.assertEqual(sii_client.state_of(nothing), ("pending", None, None))
        missing = self.client.events("76086428-5", 33, sii_double.NOT_FOUND)
        self.assertEqual(missing.code, 9)
        self.assertFalse(missing.found)
        self.assertEqual(
            self.client.reception_date("76086428-5", 33, sii_double.ACCEPTED), datetime(2026, 2, 2, 13, 5)
        )
        self.assertIsNone(self.client.reception_date("76086428-5", 33, sii_double.NOT_FOUND))
        self.assertEqual(self.sii.calls.count("getToken"), 1, "one login for every call")

    def test_expired_token_logs_in_again(self):
        self.client.events("76086428-5", 33, sii_double.NO_EVENTS)
        self.sii.expire_next_token = True
        answer = self.client.events("76086428-5", 33, sii_double.ACCEPTED)
        self.assertEqual(answer.code, 15)
        self.assertEqual(self.sii.calls.count("getToken"), 2)

    def assertSiiError(self, code, folio, operation="events"):
        with self.assertRaises(sii_client.SiiError) as caught:
            getattr(self.client, operation)("76086428-5", 33, folio)
        self.assertEqual(caught.exception.code, code, caught.exception)
        return caught.exception

    def test_failures(self):
        self.assertIn("NullPointer", self.assertSiiError("fault", sii_double.FAULT).params["detail"])
        self.assertSiiError("timeout", sii_double.SLOW)
        self.assertSiiError("html", sii_double.HTML)
        self.assertSiiError("html", sii_double.HTML, "reception_date")
        self.assertSiiError("retry", sii_double.RETRY)
        with self.assertRaises(sii_client.SiiError) as caught:
            self.client.events("76086428-4", 33, 1)
        self.assertEqual(caught.exception.code, "rut")

    def test_seed_service_down(self):
        self.sii.seed_down = True
        with self.assertRaises(sii_client.SiiError) as caught:
            self.client.token()
        self.assertEqual(caught.exception.code, "html")

    def test_nothing_listening(self):
        self.sii.__exit__()
        with self.assertRaises(sii_client.SiiError) as caught:
            self.client.token()
        self.assertIn(caught.exception.code, ("connection", "timeout"))
        self.sii.__exit__ = lambda *a: None

    def test_helpers(self):
        self.assertEqual(sii_client.parse_sii_datetime("05-02-2026 10:15:00"), datetime(2026, 2, 5, 10, 15))
        self.assertEqual(sii_client.parse_sii_datetime("05-02-2026"), datetime(2026, 2, 5))
        self.assertIsNone(sii_client.parse_sii_datetime("31-02-2026 10:00:00"))
        self.assertIsNone(sii_client.parse_sii_datetime(None))
        self.assertEqual(sii_client.backoff(1), timedelta(minutes=30))
        self.assertEqual(sii_client.backoff(3), timedelta(hours=2))
        self.assertEqual(sii_client.backoff(20), timedelta(hours=24))
