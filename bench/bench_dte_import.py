# DTE XML import on a real database: one EnvioDTE of 1,000 documents (33 with two taxed lines,
# 50 customers), imported as draft invoices, then the same file again (nothing changes), then an
# AEC. Run: BENCH=dte_import make bench. Everything is rolled back at the end.
import base64
import time

from odoo import Command

from odoo.addons.cobranza_telefonica.services import rut

N_CUSTOMERS, N_DOCUMENTS = 50, 1000
COMPANY_VAT = 76086428


def timed(label, function):
    print(f"... {label}", flush=True)
    queries = env.cr.sql_log_count
    start, cpu = time.perf_counter(), time.process_time()
    result = function()
    env.flush_all()
    print(
        f"{label}: {time.perf_counter() - start:.2f} s ({time.process_time() - cpu:.2f} s CPU in Odoo), "
        f"{env.cr.sql_log_count - queries} queries",
        flush=True,
    )
    return result


def vat(number):
    return f"{number}-{rut.check_digit(number)}"


def envio(n):
    documents = []
    for i in range(n):
        customer = 77000000 + i % N_CUSTOMERS
        net = 10000 + i
        first = net // 2
        iva = (net * 19 + 50) // 100  # half up, as the SII rounds
        documents.append(
            f"""<DTE version="1.0"><Documento ID="F{i + 1}T33"><Encabezado>
<IdDoc><TipoDTE>33</TipoDTE><Folio>{i + 1}</Folio><FchEmis>2026-02-02</FchEmis>
<FmaPago>2</FmaPago><FchVenc>2026-03-04</FchVenc></IdDoc>
<Emisor><RUTEmisor>{vat(COMPANY_VAT)}</RUTEmisor><RznSoc>Bench DTE SpA</RznSoc></Emisor>
<Receptor><RUTRecep>{vat(customer)}</RUTRecep><RznSocRecep>Cliente {customer} SpA</RznSocRecep></Receptor>
<Totales><MntNeto>{net}</MntNeto><TasaIVA>19</TasaIVA><IVA>{iva}</IVA>
<MntTotal>{net + iva}</MntTotal></Totales></Encabezado>
<Detalle><NroLinDet>1</NroLinDet><NmbItem>Producto A</NmbItem><QtyItem>1</QtyItem>
<PrcItem>{first}</PrcItem><MontoItem>{first}</MontoItem></Detalle>
<Detalle><NroLinDet>2</NroLinDet><NmbItem>Servicio B</NmbItem><QtyItem>1</QtyItem>
<PrcItem>{net - first}</PrcItem><MontoItem>{net - first}</MontoItem></Detalle></Documento></DTE>"""
        )
    return (
        '<?xml version="1.0" encoding="ISO-8859-1"?>\n'
        '<EnvioDTE xmlns="http://www.sii.cl/SiiDte" version="1.0">'
        '<SetDTE ID="SetDoc">' + "\n".join(documents) + "</SetDTE></EnvioDTE>"
    ).encode("iso-8859-1")


env = env(user=env.ref("base.user_root").id, context={"tracking_disable": True})  # noqa: F821
company = env["res.company"].create(
    {"name": "Bench DTE SpA", "country_id": env.ref("base.cl").id, "vat": vat(COMPANY_VAT)}
)
env.user.company_ids |= company
env.user.groups_id |= env.ref("cobranza_telefonica.group_cobranza_manager")
env = env(context=dict(env.context, allowed_company_ids=company.ids))
timed(
    "chart of accounts (l10n_cl)",
    lambda: env["account.chart.template"].try_loading("cl", company, install_demo=False),
)
env["res.partner"].create(
    [
        {
            "name": f"Cliente {77000000 + i} SpA",
            "is_company": True,
            "country_id": env.ref("base.cl").id,
            "l10n_latam_identification_type_id": env.ref("l10n_cl.it_RUT").id,
            "vat": vat(77000000 + i),
            "l10n_cl_sii_taxpayer_type": "1",
        }
        for i in range(N_CUSTOMERS)
    ]
)
data = envio(N_DOCUMENTS)
print(f"EnvioDTE of {N_DOCUMENTS} documents: {len(data) / 1e6:.1f} MB")


def run(name, content):
    attachment = env["ir.attachment"].create({"name": name, "datas": base64.b64encode(content)})
    wizard = env["cobranza.dte.import"].create(
        {"company_id": company.id, "attachment_ids": [Command.set(attachment.ids)]}
    )
    wizard.action_import()
    return wizard


first = timed(f"import {N_DOCUMENTS} documents (draft invoices created)", lambda: run("envio.xml", data))
print("results:", first.summary)
again = timed("the same file again (nothing changes)", lambda: run("envio.xml", data))
print("results:", again.summary)
env.cr.rollback()
