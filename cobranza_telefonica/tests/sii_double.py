"""A local stand-in for the SII on 127.0.0.1: serves CrSeed, GetTokenFromSeed and the registry of
acceptance and claims with realistic answers, chosen by folio. Tests only; no network."""

import threading
import time
from html import escape
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from lxml import etree

from ..services import sii_client

SOAP = "http://schemas.xmlsoap.org/soap/envelope/"
REGISTRY_NS = "http://ws.registroreclamodte.diii.sdi.sii.cl"
SEED_NS = "https://maullin.sii.cl/DTEWS/CrSeed.jws"
TOKEN_NS = "https://maullin.sii.cl/DTEWS/GetTokenFromSeed.jws"

# folio -> what the registry answers
ACCEPTED, CLAIMED, NO_EVENTS, FAULT, SLOW, HTML, RETRY, NOT_FOUND, RECEIPT = (
    101,
    102,
    103,
    104,
    105,
    106,
    107,
    108,
    109,
)


def envelope(body):
    return (
        f'<?xml version="1.0" encoding="UTF-8"?><soapenv:Envelope xmlns:soapenv="{SOAP}">'
        f"<soapenv:Body>{body}</soapenv:Body></soapenv:Envelope>"
    ).encode()


def fault(message):
    return envelope(
        f"<soapenv:Fault><faultcode>soapenv:Server</faultcode><faultstring>{escape(message)}</faultstring>"
        "</soapenv:Fault>"
    )


def sii_answer(state, name=None, value=None):
    body = f"<{name}>{value}</{name}>" if name else ""
    xml = (
        '<?xml version="1.0" encoding="UTF-8"?><SII:RESPUESTA xmlns:SII="http://www.sii.cl/XMLSchema">'
        f"<SII:RESP_BODY>{body}</SII:RESP_BODY><SII:RESP_HDR><ESTADO>{state}</ESTADO></SII:RESP_HDR>"
        "</SII:RESPUESTA>"
    )
    return escape(xml)


def events_answer(code, description, events=()):
    items = "".join(
        f"<listaEventosDoc><codEvento>{c}</codEvento><descEvento>{d}</descEvento>"
        f"<rutResponsable>76201224</rutResponsable><dvResponsable>3</dvResponsable>"
        f"<fechaEvento>{when}</fechaEvento></listaEventosDoc>"
        for c, d, when in events
    )
    return envelope(
        f'<ns2:listarEventosHistDocResponse xmlns:ns2="{REGISTRY_NS}"><return><codResp>{code}</codResp>'
        f"<descResp>{description}</descResp>{items}</return></ns2:listarEventosHistDocResponse>"
    )


class SiiDouble:
    """Start with ``with SiiDouble() as sii:``; ``sii.endpoints`` go to SiiClient."""

    def __init__(self, slow_seconds=3):
        self.slow_seconds = slow_seconds
        self.tokens = set()
        self.calls = []
        self.bad_signatures = 0
        self.expire_next_token = False
        self.seed_down = False
        double = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def do_POST(self):
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length)
                status, content, ctype = double.answer(self.path, body, self.headers.get("Cookie") or "")
                if status == "slow":
                    time.sleep(double.slow_seconds)
                    status = 200
                self.send_response(status)
                self.send_header("Content-Type", ctype)
                self.send_header("Content-Length", str(len(content)))
                self.end_headers()
                try:
                    self.wfile.write(content)
                except (BrokenPipeError, ConnectionResetError):
                    self.close_connection = True  # the client gave up waiting (the timeout test)

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        port = self.server.server_address[1]
        base = f"http://127.0.0.1:{port}"
        self.endpoints = {
            "seed": f"{base}/DTEWS/CrSeed.jws",
            "token": f"{base}/DTEWS/GetTokenFromSeed.jws",
            "registry": f"{base}/WSREGISTRORECLAMODTECERT/registroreclamodteservice",
        }

    def __enter__(self):
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.server.shutdown()
        self.server.server_close()

    def answer(self, path, body, cookie):
        xml = "text/xml; charset=utf-8"
        root = etree.fromstring(body, parser=etree.XMLParser(resolve_entities=False, no_network=True))
        operation = etree.QName(root.find(f"{{{SOAP}}}Body")[0]).localname
        self.calls.append(operation)
        if operation == "getSeed":
            if self.seed_down:
                return 503, b"<html><body><h1>Servicio no disponible</h1></body></html>", "text/html"
            return (
                200,
                envelope(
                    f'<ns1:getSeedResponse xmlns:ns1="{SEED_NS}"><getSeedReturn>'
                    f"{sii_answer('00', 'SEMILLA', '039912345678')}</getSeedReturn></ns1:getSeedResponse>"
                ),
                xml,
            )
        if operation == "getToken":
            signed = root.find(f"{{{SOAP}}}Body")[0][0].text.encode()
            if b"039912345678" not in signed or not sii_client.verify_enveloped(signed):
                self.bad_signatures += 1
                answer = sii_answer("-07")
            else:
                token = f"TOKEN{len(self.tokens) + 1:04d}"
                self.tokens.add(token)
                answer = sii_answer("00", "TOKEN", token)
            return (
                200,
                envelope(
                    f'<ns1:getTokenResponse xmlns:ns1="{TOKEN_NS}"><getTokenReturn>{answer}</getTokenReturn>'
                    "</ns1:getTokenResponse>"
                ),
                xml,
            )
        token = cookie.removeprefix("TOKEN=")
        if self.expire_next_token:
            self.expire_next_token = False
            self.tokens.discard(token)
        if token not in self.tokens:
            return 500, fault("TOKEN invalido"), xml
        folio = int(root.findtext(".//folio") or 0)
        if folio == FAULT:
            return 500, fault("java.lang.NullPointerException"), xml
        if folio == SLOW:
            return "slow", events_answer(16, "Documento no tiene eventos registrados"), xml
        if folio == HTML:
            return 200, b"<html><body>Estamos en mantencion</body></html>", "text/html"
        if operation == "consultarFechaRecepcionSii":
            when = "" if folio == NOT_FOUND else "02-02-2026 13:05:00"
            return (
                200,
                envelope(
                    f'<ns2:consultarFechaRecepcionSiiResponse xmlns:ns2="{REGISTRY_NS}">'
                    f"<return>{when}</return></ns2:consultarFechaRecepcionSiiResponse>"
                ),
                xml,
            )
        if folio == ACCEPTED:
            return (
                200,
                events_answer(
                    15,
                    "Acciones Encontradas",
                    [("ACD", "Acepta Contenido del Documento", "05-02-2026 10:15:00")],
                ),
                xml,
            )
        if folio == CLAIMED:
            return (
                200,
                events_answer(
                    15,
                    "Acciones Encontradas",
                    [
                        ("ERM", "Otorga Recibo de Mercaderias o Servicios", "03-02-2026 09:00:00"),
                        ("RCD", "Reclamo al Contenido del Documento", "04-02-2026 16:40:00"),
                    ],
                ),
                xml,
            )
        if folio == RETRY:
            return 200, events_answer(-1, "Error interno"), xml
        if folio == NOT_FOUND:
            return 200, events_answer(9, "Documento no existe en el SII"), xml
        return 200, events_answer(16, "Documento no tiene eventos registrados"), xml
