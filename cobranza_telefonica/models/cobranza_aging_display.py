from odoo import api, models
from odoo.models import regex_order
from odoo.tools import SQL

from ..services.aging import BUCKET_KEYS


class CobranzaAgingFields(models.AbstractModel):
    """How the aging (the live view and the lines as of a date) is shown: buckets in their own
    order (Not yet due, 1-30 ... Over 120 days) and amounts with the company currency's decimals."""

    _inherit = "cobranza.aging.fields"

    @api.model
    def _read_group_orderby(self, order, groupby_terms, query):
        """Groups by bucket come in the order of services.aging.BUCKETS, not alphabetically by key
        ('1_30' < 'not_due' < 'over_120'): the pivot's columns, the graph's bars and the grouped
        list read it. Other terms keep the ORM's (or the aging report's) order."""
        parts = (order or ",".join(groupby_terms)).split(",")
        matches = [regex_order.match(part) for part in parts]
        if "bucket" not in groupby_terms or not any(match and match["term"] == "bucket" for match in matches):
            return super()._read_group_orderby(order, groupby_terms, query)
        terms = []
        for part, match in zip(parts, matches, strict=True):
            if match and match["term"] == "bucket":
                direction = "DESC" if (match["direction"] or "").upper() == "DESC" else "ASC"
                terms.append(
                    SQL(
                        "array_position(%s::text[], %s::text) %s %s",
                        list(BUCKET_KEYS),
                        groupby_terms["bucket"],
                        SQL(direction),
                        SQL((match["nulls"] or "").upper()),
                    )
                )
            elif order:
                terms.append(super()._read_group_orderby(part, groupby_terms, query))
            else:  # no order asked: by the group-by terms themselves, as the ORM does
                terms.append(SQL("%s ASC", groupby_terms[match["term"]]))
        return SQL(", ").join(term for term in terms if term)

    @api.model
    def fields_get(self, allfields=None, attributes=None):
        """Amounts in company currency get that currency's digits, so the pivot and the graph
        (which format a measure without its record's currency) show pesos without decimals."""
        result = super().fields_get(allfields, attributes)
        if attributes and "digits" not in attributes:
            return result
        decimals = self.env.company.currency_id.decimal_places
        for name, description in result.items():
            field = self._fields.get(name)
            if field and field.type == "monetary" and field.get_currency_field(self) == "company_currency_id":
                description["digits"] = [16, decimals]
        return result
