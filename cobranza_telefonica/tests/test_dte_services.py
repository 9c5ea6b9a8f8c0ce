from datetime import date, datetime
from pathlib import Path

from odoo.tests import BaseCase, tagged

from ..services import dte_xml, rut

DATA = Path(__file__).parent / "data" / "dte"
XSD = Path(__file__).parent.parent / "data" / "sii_xsd"


def read(name):
    return (DATA / name).read_bytes()


@tagged("post_install", "-at_install")
class TestDteXml(BaseCase):
    def assertDteError(self, code, data, **kwargs):
        with self.assertRaises(dte_xml.DteError) as caught:
            dte_xml.parse(data, **kwargs)
        self.assertEqual(caught.exception.code, code, caught.exception)
        return caught.exception

    def test_fixture_ruts_are_valid(self):
        for vat in ("76086428-5", "76201224-3", "12533840-2", "96667560-8", "76543210-3", "55555555-5"):
            self.assertTrue(rut.is_valid(vat), vat)

    def test_envio_with_namespace_iso_8859_1(self):
        parsed = dte_xml.parse(read("envio_ns_iso88591.xml"))
        self.assertEqual(parsed.kind, "envio")
        self.assertEqual(parsed.namespace, dte_xml.SII_NS)
        self.assertEqual(parsed.errors, [])
        self.assertEqual(
            [(d.doc_type, d.folio) for d in parsed.documents], [(33, 1001), (34, 2001), (61, 301)]
        )
        invoice, exempt, credit = parsed.documents
        self.assertEqual(
            (invoice.net, invoice.exempt, invoice.vat, invoice.total), (100000, 0, 19000, 119000)
        )
        self.assertEqual(invoice.issue_date, date(2026, 2, 2))
        self.assertEqual(invoice.due_date, date(2026, 3, 4))
        self.assertEqual(invoice.payment_method, 2)
        self.assertEqual(invoice.issuer_vat, "76086428-5")
        self.assertEqual(invoice.receiver_vat, "76201224-3")
        # ISO-8859-1 read as such: the accents survive.
        self.assertEqual(invoice.receiver_name, "Ferretería Los Robles SpA")
        self.assertEqual([line.amount for line in invoice.lines], [70000, 30000])
        self.assertEqual((exempt.net, exempt.exempt, exempt.vat, exempt.total), (0, 50000, 0, 50000))
        self.assertTrue(exempt.lines[0].exempt)
        self.assertEqual(credit.kind, "credit")
        (reference,) = credit.references
        self.assertEqual((reference.doc_type, reference.folio, reference.code), ("33", "1001", 3))
        self.assertEqual(reference.date, date(2026, 2, 2))

    def test_bare_dte_without_namespace_windows_1252(self):
        parsed = dte_xml.parse(read("dte_bare_cp1252.xml"))
        self.assertEqual((parsed.kind, parsed.namespace), ("dte", ""))
        (document,) = parsed.documents
        self.assertEqual((document.doc_type, document.folio, document.total), (33, 1002, 238000))
        self.assertEqual(document.lines[0].name, "Asesoría “llave en mano” – febrero")
        self.assertEqual(document.receiver_name, "Juan Pérez Soto")

    def test_same_document_utf8_without_declaration(self):
        text = read("dte_bare_cp1252.xml").decode("cp1252").split("\n", 1)[1]
        (document,) = dte_xml.parse(text.encode("utf-8")).documents
        self.assertEqual(document.lines[0].name, "Asesoría “llave en mano” – febrero")
        # and a latin-1 file that forgot its declaration
        (document,) = dte_xml.parse(
            text.replace("“", '"').replace("”", '"').replace("–", "-").encode("latin-1")
        ).documents
        self.assertEqual(document.receiver_name, "Juan Pérez Soto")

    def test_one_bad_document_does_not_block_the_others(self):
        parsed = dte_xml.parse(read("envio_nons_utf8_mixed.xml"))
        self.assertEqual([(d.doc_type, d.folio) for d in parsed.documents], [(56, 401), (61, 302)])
        errors = {(e.doc_type, e.folio): e.error for e in parsed.errors}
        self.assertEqual(sorted(errors), [("33", "1003"), ("33", "1004"), ("39", "5001")])
        self.assertEqual(errors[("33", "1003")].code, "bad_rut")
        self.assertEqual(errors[("33", "1003")].params["who"], "receiver")
        self.assertEqual(errors[("39", "5001")].code, "doc_type")
        self.assertEqual(errors[("33", "1004")].code, "totals")
        self.assertEqual(errors[("33", "1004")].params["difference"], 1000)
        cancel = parsed.documents[1]
        self.assertEqual(cancel.references[0].code, 1)
        self.assertEqual(cancel.references[0].folio, "1002")

    def test_export_document(self):
        (document,) = dte_xml.parse(read("dte_export_110.xml")).documents
        self.assertEqual((document.doc_type, document.folio, document.kind), (110, 51, "invoice"))
        self.assertEqual((document.exempt, document.vat, document.total), (12500, 0, 12500))
        self.assertEqual(document.currency, "DOLAR USA")
        self.assertEqual(document.receiver_vat, "55555555-5")

    def test_aec_cession_and_second_cession(self):
        parsed = dte_xml.parse(read("aec_cesion_1.xml"))
        self.assertEqual(parsed.kind, "aec")
        (document,) = parsed.documents
        self.assertEqual((document.doc_type, document.folio, document.total), (33, 1001, 119000))
        (cession,) = parsed.cessions
        self.assertEqual(cession.sequence, 1)
        self.assertEqual((cession.doc_type, cession.folio, cession.issuer_vat), (33, 1001, "76086428-5"))
        self.assertEqual(
            (cession.assignee_vat, cession.assignee_name), ("96667560-8", "Factoring Andes S.A.")
        )
        self.assertEqual(cession.assignee_email, "cobranza@factoringandes.cl")
        self.assertEqual(cession.moment, datetime(2026, 2, 20, 11, 0))
        self.assertEqual(cession.amount, 119000)
        parsed = dte_xml.parse(read("aec_cesion_2.xml"))
        self.assertEqual([c.sequence for c in parsed.cessions], [1, 2])
        self.assertEqual(parsed.cessions[-1].assignee_name, "Capital Sur SpA")
        self.assertEqual(parsed.cessions[-1].assignor_vat, "96667560-8")

    def test_official_sii_example_is_schema_valid(self):
        data = read("sii_official_F60T33.xml")
        parsed = dte_xml.parse(data)
        self.assertTrue(parsed.signed)
        self.assertEqual(
            [(d.doc_type, d.folio, d.issuer_vat) for d in parsed.documents], [(33, 60, "97975000-5")]
        )
        self.assertEqual(dte_xml.schema_errors(data, parsed.kind, XSD), [])
        broken = data.replace(b"<Folio>60</Folio>", b"<Folio>sesenta</Folio>")
        self.assertTrue(dte_xml.schema_errors(broken, "envio", XSD))

    def test_hostile_files_refused(self):
        self.assertDteError("doctype", read("billion_laughs.xml"))
        self.assertDteError("doctype", read("xxe.xml"))
        # a DOCTYPE with no entity at all, in lower case, is refused as well
        self.assertDteError(
            "doctype", b'<?xml version="1.0"?>\n<!doctype DTE SYSTEM "http://127.0.0.1:9/x.dtd"><DTE/>'
        )
        self.assertDteError("malformed", read("malformed.xml"))
        self.assertDteError("empty", b"  \n")
        self.assertDteError("encoding", '<?xml version="1.0" encoding="UTF-16"?><DTE/>'.encode("utf-16"))
        self.assertDteError("encoding", b'<?xml version="1.0" encoding="EBCDIC-US"?><DTE/>')
        self.assertDteError("root", b"<html><body>Error 500</body></html>")
        self.assertDteError("namespace", b'<DTE xmlns="http://example.com/x"/>')
        self.assertDteError("no_document", b'<EnvioDTE xmlns="http://www.sii.cl/SiiDte"><SetDTE/></EnvioDTE>')

    def test_size_limit(self):
        data = read("envio_ns_iso88591.xml")
        error = self.assertDteError("too_big", data, max_bytes=len(data) - 1)
        self.assertEqual(error.params["limit"], len(data) - 1)
        self.assertEqual(len(dte_xml.parse(data, max_bytes=len(data)).documents), 3)
        self.assertEqual(dte_xml.MAX_BYTES, 20 * 1024 * 1024)

    def test_bare_dte_errors_are_per_document(self):
        data = read("dte_bare_cp1252.xml")
        parsed = dte_xml.parse(data.replace(b"<RUTEmisor>76086428-5", b"<RUTEmisor>76086428-K"))
        self.assertEqual(parsed.documents, [])
        ((error),) = parsed.errors
        self.assertEqual((error.doc_type, error.folio, error.error.code), ("33", "1002", "bad_rut"))
        self.assertEqual(error.error.params["who"], "issuer")
        parsed = dte_xml.parse(data.replace(b"<FchEmis>2026-02-12", b"<FchEmis>2026-02-31"))
        self.assertEqual(parsed.errors[0].error.code, "bad_date")
        parsed = dte_xml.parse(data.replace(b"<Folio>1002", b"<Folio>mil"))
        self.assertEqual(parsed.errors[0].error.code, "not_number")
