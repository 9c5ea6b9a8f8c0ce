"""The SII's web services through zeep: the token (seed, seed signed with XML-DSig by the
company's certificate, token) and the registry of acceptance and claims (events of a document,
its SII reception date).

Plain values in, plain values out; every failure is an ``SiiError`` with a ``code`` the ORM side
turns into a Spanish message: ``timeout``, ``connection``, ``html`` (an HTML page instead of SOAP),
``fault``, ``token`` (login refused), ``retry`` (codResp -1: the SII's internal error),
``certificate`` / ``certificate_password``, ``answer`` (an answer that cannot be read). TLS is
always verified (requests' default); nothing here turns it off.
"""

import base64
import hashlib
import re
import threading
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

import requests
from lxml import etree

from . import clock, dte_xml, rut
from .errors import CodedError

try:  # zeep is an Odoo dependency; keep the module importable without it for the parser tests
    import zeep
    from zeep.exceptions import Fault, TransportError, XMLSyntaxError
    from zeep.transports import Transport
except ImportError:  # pragma: no cover
    zeep = None

DSIG = "http://www.w3.org/2000/09/xmldsig#"
C14N = "http://www.w3.org/TR/2001/REC-xml-c14n-20010315"
ENDPOINTS = {
    "certification": {
        "seed": "https://maullin.sii.cl/DTEWS/CrSeed.jws",
        "token": "https://maullin.sii.cl/DTEWS/GetTokenFromSeed.jws",
        "registry": "https://ws2.sii.cl/WSREGISTRORECLAMODTECERT/registroreclamodteservice",
    },
    "production": {
        "seed": "https://palena.sii.cl/DTEWS/CrSeed.jws",
        "token": "https://palena.sii.cl/DTEWS/GetTokenFromSeed.jws",
        "registry": "https://ws1.sii.cl/WSREGISTRORECLAMODTE/registroreclamodteservice",
    },
}
WSDL_FILES = {
    "seed": "CrSeed.wsdl",
    "token": "GetTokenFromSeed.wsdl",
    "registry": "registroreclamodteservice.wsdl",
}
WSDL_FOLDERS = {"certification": "cert", "production": "prod"}
# Only these types, and only documents issued since then, are in the registry.
REGISTRY_TYPES = frozenset({33, 34, 43})
REGISTRY_SINCE = datetime(2017, 1, 14).date()
TOKEN_LIFETIME = timedelta(minutes=50)
_DATE = re.compile(r"(\d{2})-(\d{2})-(\d{4})(?:\s+(\d{2}):(\d{2}):(\d{2}))?")


class SiiError(CodedError):
    """The SII refused, failed or could not be reached; ``code`` names the case."""


@dataclass(frozen=True)
class Event:
    code: str
    description: str
    responsible_vat: str
    moment: datetime | None


@dataclass(frozen=True)
class Events:
    code: int
    description: str
    events: tuple

    @property
    def found(self):
        return self.code in (0, 15, 16)


def parse_sii_datetime(text):
    """'05-02-2026 10:15:00' (the SII's spelling) as a datetime, or None."""
    match = _DATE.search(text or "")
    if not match:
        return None
    day, month, year, hour, minute, second = match.groups()
    try:
        return datetime(int(year), int(month), int(day), int(hour or 0), int(minute or 0), int(second or 0))
    except ValueError:
        return None


# --- certificate and signature ---------------------------------------------------------------


def load_certificate(data, password):
    """(private key, certificate) of a PKCS#12 file; SiiError on a wrong password or file."""
    from cryptography.hazmat.primitives.serialization import pkcs12

    if not data:
        raise SiiError("certificate")
    try:
        key, certificate, _chain = pkcs12.load_key_and_certificates(
            data, password.encode() if isinstance(password, str) else password
        )
    except ValueError:
        raise SiiError("certificate_password") from None
    except Exception:  # noqa: BLE001 - anything the library cannot read is a bad file
        raise SiiError("certificate") from None
    if key is None or certificate is None:
        raise SiiError("certificate")
    return key, certificate


def _b64(number):
    raw = number.to_bytes((number.bit_length() + 7) // 8, "big")
    return base64.b64encode(raw).decode()


def sign_enveloped(root, key, certificate):
    """Add to ``root`` (an lxml element) an enveloped XML-DSig signature as the SII asks: RSA-SHA1,
    SHA1 digest, C14N 20010315, with the key value and the X509 certificate. Return root."""
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import padding

    digest = base64.b64encode(hashlib.sha1(etree.tostring(root, method="c14n")).digest()).decode()  # noqa: S324
    signature = etree.SubElement(root, f"{{{DSIG}}}Signature", nsmap={None: DSIG})
    signed_info = etree.SubElement(signature, f"{{{DSIG}}}SignedInfo")
    etree.SubElement(signed_info, f"{{{DSIG}}}CanonicalizationMethod", Algorithm=C14N)
    etree.SubElement(signed_info, f"{{{DSIG}}}SignatureMethod", Algorithm=f"{DSIG}rsa-sha1")
    reference = etree.SubElement(signed_info, f"{{{DSIG}}}Reference", URI="")
    transforms = etree.SubElement(reference, f"{{{DSIG}}}Transforms")
    etree.SubElement(transforms, f"{{{DSIG}}}Transform", Algorithm=f"{DSIG}enveloped-signature")
    etree.SubElement(reference, f"{{{DSIG}}}DigestMethod", Algorithm=f"{DSIG}sha1")
    etree.SubElement(reference, f"{{{DSIG}}}DigestValue").text = digest
    value = key.sign(etree.tostring(signed_info, method="c14n"), padding.PKCS1v15(), hashes.SHA1())  # noqa: S303
    etree.SubElement(signature, f"{{{DSIG}}}SignatureValue").text = base64.b64encode(value).decode()
    key_info = etree.SubElement(signature, f"{{{DSIG}}}KeyInfo")
    numbers = key.public_key().public_numbers()
    rsa = etree.SubElement(etree.SubElement(key_info, f"{{{DSIG}}}KeyValue"), f"{{{DSIG}}}RSAKeyValue")
    etree.SubElement(rsa, f"{{{DSIG}}}Modulus").text = _b64(numbers.n)
    etree.SubElement(rsa, f"{{{DSIG}}}Exponent").text = _b64(numbers.e)
    x509 = etree.SubElement(key_info, f"{{{DSIG}}}X509Data")
    der = certificate.public_bytes(serialization.Encoding.DER)
    etree.SubElement(x509, f"{{{DSIG}}}X509Certificate").text = base64.b64encode(der).decode()
    return root


def verify_enveloped(xml_bytes):
    """True when the enveloped signature of ``xml_bytes`` is right for its own X509 certificate
    (what the SII checks first; tests and the local SII double use it)."""
    from cryptography import x509
    from cryptography.exceptions import InvalidSignature
    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.asymmetric import padding

    root = dte_xml.parse_bytes(xml_bytes)
    signature = root.find(f"{{{DSIG}}}Signature")
    if signature is None:
        return False
    signed_info = signature.find(f"{{{DSIG}}}SignedInfo")
    certificate = x509.load_der_x509_certificate(
        base64.b64decode(signature.findtext(f".//{{{DSIG}}}X509Certificate"))
    )
    value = base64.b64decode(signature.findtext(f"{{{DSIG}}}SignatureValue"))
    try:
        certificate.public_key().verify(
            value,
            etree.tostring(signed_info, method="c14n"),
            padding.PKCS1v15(),
            hashes.SHA1(),  # noqa: S303 - the SII's algorithm
        )
    except InvalidSignature:
        return False
    root.remove(signature)
    digest = base64.b64encode(hashlib.sha1(etree.tostring(root, method="c14n")).digest()).decode()  # noqa: S324
    return digest == signed_info.findtext(f".//{{{DSIG}}}DigestValue")


def seed_request(seed, key, certificate):
    """The signed ``<getToken>`` document for ``seed``, as bytes."""
    root = etree.Element("getToken")
    etree.SubElement(etree.SubElement(root, "item"), "Semilla").text = seed
    sign_enveloped(root, key, certificate)
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8")


def _answer_field(text, name):
    """(ESTADO, the ``name`` element) of the SII's escaped XML answer of CrSeed / GetToken."""
    if not text or not isinstance(text, str):
        raise SiiError("answer")
    try:
        root = dte_xml.parse_bytes(text.encode("utf-8"))
    except dte_xml.DteError:
        raise SiiError("answer") from None
    state = next(
        (el.text for el in root.iter() if isinstance(el.tag, str) and el.tag.endswith("ESTADO")), None
    )
    value = next((el.text for el in root.iter() if isinstance(el.tag, str) and el.tag.endswith(name)), None)
    return (state or "").strip(), (value or "").strip()


# --- the client ------------------------------------------------------------------------------

_tokens = {}
_tokens_lock = threading.Lock()


def drop_token(key):
    with _tokens_lock:
        _tokens.pop(key, None)


class SiiClient:
    """One company's access to the SII. ``endpoints`` replace the SII's addresses (tests point
    them at a local server); ``now`` returns the current moment (UTC, naive; the module's clock
    by default) for the token cache."""

    def __init__(
        self,
        environment,
        key,
        certificate,
        wsdl_dir,
        endpoints=None,
        timeout=10,
        now=None,
        session=None,
    ):
        if zeep is None:  # pragma: no cover
            raise SiiError("answer")
        self.environment = environment
        self.key = key
        self.certificate = certificate
        self.wsdl_dir = Path(wsdl_dir) / WSDL_FOLDERS[environment]
        self.endpoints = dict(ENDPOINTS[environment], **(endpoints or {}))
        self.timeout = timeout
        self.now = now or clock.now
        self.session = session or requests.Session()
        self._services = {}
        from cryptography.hazmat.primitives import hashes

        self.token_key = (
            environment,
            self.endpoints["token"],
            certificate.fingerprint(hashes.SHA256()).hex(),
        )

    def _service(self, name):
        if name not in self._services:
            transport = Transport(session=self.session, timeout=self.timeout, operation_timeout=self.timeout)
            settings = zeep.Settings(
                strict=False, forbid_dtd=True, forbid_entities=True, forbid_external=True
            )
            client = zeep.Client(
                str(self.wsdl_dir / WSDL_FILES[name]), transport=transport, settings=settings
            )
            binding = next(iter(client.wsdl.bindings))
            self._services[name] = client.create_service(binding, self.endpoints[name])
        return self._services[name]

    def _call(self, name, operation, **kwargs):
        """One SOAP call, its failures as SiiError."""
        try:
            return getattr(self._service(name), operation)(**kwargs)
        except Fault as fault:
            if fault.code is None:
                # An answer without a SOAP Fault: an error page (often well-formed HTML).
                raise SiiError("html", status="") from None
            message = str(fault.message or "")
            if "TOKEN" in message.upper():
                raise SiiError("token", detail=message[:200]) from None
            raise SiiError("fault", detail=message[:200]) from None
        except requests.exceptions.Timeout:
            raise SiiError("timeout", seconds=self.timeout) from None
        except requests.exceptions.ConnectionError:
            raise SiiError("connection", address=self.endpoints[name]) from None
        except (TransportError, XMLSyntaxError, etree.XMLSyntaxError) as error:
            raise SiiError("html", status=getattr(error, "status_code", "") or "") from None

    # token

    def token(self, fresh=False):
        """The cached token, or a new one (seed, signed seed, token)."""
        now = self.now()
        with _tokens_lock:
            cached = _tokens.get(self.token_key)
        if cached and not fresh and cached[1] > now:
            return cached[0]
        state, seed = _answer_field(self._call("seed", "getSeed"), "SEMILLA")
        if state != "00" or not seed:
            raise SiiError("token", detail=f"ESTADO {state} (semilla)")
        signed = seed_request(seed, self.key, self.certificate).decode()
        state, token = _answer_field(self._call("token", "getToken", pszXml=signed), "TOKEN")
        if state != "00" or not token:
            raise SiiError("token", detail=f"ESTADO {state}")
        with _tokens_lock:
            _tokens[self.token_key] = (token, now + TOKEN_LIFETIME)
        return token

    def _registry(self, operation, issuer_vat, doc_type, folio):
        """A registry call with the token as the TOKEN cookie; on "TOKEN invalido" log in again once."""
        body, digit = rut.split(issuer_vat)
        if body is None or not rut.is_valid(issuer_vat):
            raise SiiError("rut", rut=issuer_vat)
        arguments = {
            "rutEmisor": str(body),
            "dvEmisor": digit.upper(),
            "tipoDoc": str(doc_type),
            "folio": str(folio),
        }
        for attempt in (1, 2):
            token = self.token(fresh=attempt == 2)
            self.session.headers["Cookie"] = f"TOKEN={token}"
            try:
                return self._call("registry", operation, **arguments)
            except SiiError as error:
                if error.code != "token" or attempt == 2:
                    raise
                drop_token(self.token_key)
        raise SiiError("token")  # pragma: no cover

    def events(self, issuer_vat, doc_type, folio):
        """The claim and acceptance events of a document (listarEventosHistDoc)."""
        answer = self._registry("listarEventosHistDoc", issuer_vat, doc_type, folio)
        code = _get(answer, "codResp")
        if code is None:
            raise SiiError("answer")
        code = int(code)
        if code == -1:
            raise SiiError("retry", description=_get(answer, "descResp") or "")
        events = []
        for item in _get(answer, "listaEventosDoc") or []:
            if item is None:
                continue
            responsible = _get(item, "rutResponsable") or ""
            digit = _get(item, "dvResponsable") or ""
            events.append(
                Event(
                    code=(_get(item, "codEvento") or "").strip().upper(),
                    description=_get(item, "descEvento") or "",
                    responsible_vat=f"{responsible}-{digit}" if responsible else "",
                    moment=parse_sii_datetime(_get(item, "fechaEvento")),
                )
            )
        events.sort(key=lambda event: event.moment or datetime.min)
        return Events(code=code, description=_get(answer, "descResp") or "", events=tuple(events))

    def reception_date(self, issuer_vat, doc_type, folio):
        """When the SII received the document (consultarFechaRecepcionSii), or None."""
        answer = self._registry("consultarFechaRecepcionSii", issuer_vat, doc_type, folio)
        return parse_sii_datetime(answer if isinstance(answer, str) else "")


def _get(value, name):
    if value is None:
        return None
    if isinstance(value, dict):
        return value.get(name)
    return getattr(value, name, None)


def state_of(events):
    """(acceptance state, deciding event code, its date) from an Events answer: a claim (RCD, RFP,
    RFT) wins, then an acceptance (ACD, ERM); otherwise pending."""
    claim = [event for event in events.events if event.code in ("RCD", "RFP", "RFT")]
    if claim:
        return "claimed", claim[-1].code, claim[-1].moment
    accept = [event for event in events.events if event.code in ("ACD", "ERM")]
    if accept:
        return "accepted", accept[0].code, accept[0].moment
    return "pending", None, None


def backoff(attempts, base_minutes=30, cap_hours=24):
    """How long to wait before asking again after ``attempts`` failures in a row."""
    return min(timedelta(minutes=base_minutes * 2 ** max(attempts - 1, 0)), timedelta(hours=cap_hours))
