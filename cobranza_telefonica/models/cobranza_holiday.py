from odoo import fields, models

# A few Chilean public holidays shipped as defaults (each company edits its own list).
CHILEAN_HOLIDAYS = [
    ("2026-01-01", "Año Nuevo"),
    ("2026-04-03", "Viernes Santo"),
    ("2026-04-04", "Sábado Santo"),
    ("2026-05-01", "Día del Trabajo"),
    ("2026-05-21", "Día de las Glorias Navales"),
    ("2026-06-29", "San Pedro y San Pablo"),
    ("2026-07-16", "Día de la Virgen del Carmen"),
    ("2026-08-15", "Asunción de la Virgen"),
    ("2026-09-18", "Independencia Nacional"),
    ("2026-09-19", "Día de las Glorias del Ejército"),
    ("2026-10-12", "Encuentro de Dos Mundos"),
    ("2026-12-08", "Inmaculada Concepción"),
    ("2026-12-25", "Navidad"),
    ("2027-01-01", "Año Nuevo"),
    ("2027-03-26", "Viernes Santo"),
    ("2027-03-27", "Sábado Santo"),
    ("2027-05-01", "Día del Trabajo"),
    ("2027-05-21", "Día de las Glorias Navales"),
    ("2027-09-17", "Feriado adicional Fiestas Patrias"),
    ("2027-09-18", "Independencia Nacional"),
    ("2027-09-19", "Día de las Glorias del Ejército"),
    ("2027-12-08", "Inmaculada Concepción"),
    ("2027-12-25", "Navidad"),
]


class CobranzaHoliday(models.Model):
    """A public holiday: the follow-up run contacts no debtor on it."""

    _name = "cobranza.holiday"
    _description = "Public holiday"
    _order = "date"

    name = fields.Char(required=True)
    date = fields.Date(required=True, index=True)
    company_id = fields.Many2one(
        comodel_name="res.company", required=True, index=True, default=lambda self: self.env.company
    )

    _sql_constraints = [
        ("date_company_uniq", "unique(company_id, date)", "This holiday is already in the company's list."),
    ]
