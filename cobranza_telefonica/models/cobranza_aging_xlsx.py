import io

import xlsxwriter
from xlsxwriter.utility import xl_col_to_name, xl_rowcol_to_cell

from odoo import api, models

FIRST_AMOUNT_COLUMN = 4  # Customer, RUT, Company, Currency, then the buckets and the total


class CobranzaAgingXlsx(models.AbstractModel):
    """The aging by customer as an Excel workbook: one row per customer and company with the
    buckets in the company's currency, for the companies of the company switcher only, and one
    total row per currency (pesos and dollars are never added together)."""

    _name = "cobranza.aging.xlsx"
    _description = "Receivables aging by customer (Excel)"

    @api.model
    def _by_customer_rows(self, domain=None):
        """[(partner, company, company currency, {bucket key: amount}, total)] of the companies of
        ``self.env.companies``, in each company's currency, grouped by currency then largest debt
        first. The aging's record rules apply (a collector gets their own customers)."""
        report = self.env["cobranza.aging.report"]
        keys = report._bucket_keys()
        groups = report._read_group(
            [*(domain or []), ("company_id", "in", self.env.companies.ids)],
            groupby=["partner_id", "company_id"],
            aggregates=["residual:sum", *(f"amount_{key}:sum" for key in keys)],
        )
        rows = [
            (partner, company, company.currency_id, dict(zip(keys, amounts, strict=True)), total)
            for partner, company, total, *amounts in groups
        ]
        return sorted(rows, key=lambda row: (row[2].name, -row[4], row[0].display_name or "", row[1].id))

    @api.model
    def _money_format(self, workbook, currency, cache, bold=False):
        """A number format with ``currency``'s decimals (none for CLP)."""
        key = (currency.id, bold)
        if key not in cache:
            pattern = "#,##0" + ("." + "0" * currency.decimal_places if currency.decimal_places else "")
            cache[key] = workbook.add_format({"num_format": pattern, "bold": bold})
        return cache[key]

    @api.model
    def _xlsx_by_customer(self, domain=None):
        """The aging by customer as the bytes of an .xlsx workbook (xlsxwriter). Each total row
        sums one currency's rows with SUMIF and carries its computed value, so a reader that does
        not recalculate (openpyxl with data_only) sees the same figure."""
        report = self.env["cobranza.aging.report"]
        labels = dict(report._fields["bucket"]._description_selection(self.env))
        keys = report._bucket_keys()
        rows = self._by_customer_rows(domain)
        output = io.BytesIO()
        workbook = xlsxwriter.Workbook(output, {"in_memory": True})
        sheet = workbook.add_worksheet(self.env._("Aging by customer")[:31])
        bold = workbook.add_format({"bold": True})
        formats = {}
        headers = [
            self.env._("Customer"),
            self.env._("RUT"),
            self.env._("Company"),
            self.env._("Currency"),
            *(labels[key] for key in keys),
            self.env._("Total"),
        ]
        sheet.write_row(0, 0, headers, bold)
        totals = {}  # currency -> [bucket amounts..., total]
        for row_index, (partner, company, currency, amounts, total) in enumerate(rows, start=1):
            money = self._money_format(workbook, currency, formats)
            sheet.write_string(row_index, 0, partner.display_name or "")
            sheet.write_string(row_index, 1, partner.vat or "")
            sheet.write_string(row_index, 2, company.name or "")
            sheet.write_string(row_index, 3, currency.name)
            values = [amounts[key] for key in keys] + [total]
            for column, value in enumerate(values, start=FIRST_AMOUNT_COLUMN):
                sheet.write_number(row_index, column, value, money)
            sums = totals.setdefault(currency, [0.0] * len(values))
            for index, value in enumerate(values):
                sums[index] = currency.round(sums[index] + value)
        last_data_row = len(rows)  # 1-based row number of the last data row in Excel
        currency_range = f"$D$2:$D${last_data_row + 1}"
        for offset, (currency, sums) in enumerate(sorted(totals.items(), key=lambda item: item[0].name)):
            row_index = last_data_row + 1 + offset
            money = self._money_format(workbook, currency, formats, bold=True)
            sheet.write_string(row_index, 0, self.env._("Total %(currency)s", currency=currency.name), bold)
            sheet.write_string(row_index, 3, currency.name, bold)
            currency_cell = xl_rowcol_to_cell(row_index, 3)
            for column, value in enumerate(sums, start=FIRST_AMOUNT_COLUMN):
                letter = xl_col_to_name(column)
                formula = f"=SUMIF({currency_range},{currency_cell},{letter}$2:{letter}${last_data_row + 1})"
                sheet.write_formula(row_index, column, formula, money, value)
        sheet.set_column(0, 0, 40)
        sheet.set_column(1, 3, 16)
        sheet.set_column(FIRST_AMOUNT_COLUMN, FIRST_AMOUNT_COLUMN + len(keys), 14)
        sheet.freeze_panes(1, 1)
        workbook.close()
        return output.getvalue()
