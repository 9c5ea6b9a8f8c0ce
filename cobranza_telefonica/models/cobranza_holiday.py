from functools import lru_cache
from types import MappingProxyType

import holidays

from odoo import api, fields, models

# Odoo's Chilean regions (base/data/res.country.state.csv, codes "01".."16") -> the subdivision
# codes of the ``holidays`` package (ISO 3166-2:CL).
CL_STATE_SUBDIVISIONS = {
    "01": "TA",  # Tarapacá
    "02": "AN",  # Antofagasta
    "03": "AT",  # Atacama
    "04": "CO",  # Coquimbo
    "05": "VS",  # Valparaíso
    "06": "LI",  # Libertador General Bernardo O'Higgins
    "07": "ML",  # Maule
    "08": "BI",  # Biobío
    "09": "AR",  # La Araucanía
    "10": "LL",  # Los Lagos
    "11": "AI",  # Aysén
    "12": "MA",  # Magallanes
    "13": "RM",  # Metropolitana de Santiago
    "14": "LR",  # Los Ríos
    "15": "AP",  # Arica y Parinacota
    "16": "NB",  # Ñuble
}


@lru_cache(maxsize=64)
def chilean_public_holidays(years, subdiv=None):
    """The Chilean public holidays (national, plus those of region ``subdiv``) of ``years`` (a
    tuple), from the maintained ``holidays`` package: {date: Spanish name}."""
    return MappingProxyType(dict(holidays.Chile(years=years, subdiv=subdiv, language="es")))


class CobranzaHoliday(models.Model):
    """A day a company adds to the public holidays (which come from the ``holidays`` package,
    national and of the company's region): the follow-up contacts no debtor on it."""

    _name = "cobranza.holiday"
    _description = "Extra non-contact day"
    _order = "date"

    name = fields.Char(required=True)
    date = fields.Date(required=True, index=True)
    company_id = fields.Many2one(
        comodel_name="res.company", required=True, index=True, default=lambda self: self.env.company
    )

    _sql_constraints = [
        ("date_company_uniq", "unique(company_id, date)", "This day is already in the company's list."),
    ]

    @api.model
    def _cobranza_subdivision(self, company):
        """The ``holidays`` subdivision of ``company``'s region (its state), None outside Chile."""
        state = company.state_id
        if state.country_id.code != "CL":
            return None
        code = (state.code or "").upper()
        if code in holidays.Chile.subdivisions:
            return code
        return CL_STATE_SUBDIVISIONS.get(code.zfill(2))

    @api.model
    def _cobranza_days_off(self, company, years):
        """The dates on which ``company`` contacts no debtor in ``years``: the Chilean public
        holidays of the package (national and of its region) and the company's extra days."""
        years = tuple(sorted(set(years)))
        public = chilean_public_holidays(years, self._cobranza_subdivision(company))
        extra = (
            self.sudo()
            .search(
                [
                    ("company_id", "=", company.id),
                    ("date", ">=", fields.Date.to_date(f"{years[0]}-01-01")),
                    ("date", "<=", fields.Date.to_date(f"{years[-1]}-12-31")),
                ]
            )
            .mapped("date")
        )
        return frozenset(public).union(extra)
