def migrate(cr, version):
    """The SII column of the call screen's invoice table moved from the customer's context
    (call_context) to the table it now calls (call_invoice_table): the old extension of
    call_context no longer finds its table, so it is removed before the templates are loaded
    (it is made again on call_invoice_table)."""
    cr.execute(
        """
        DELETE FROM ir_ui_view
         WHERE id IN (SELECT res_id FROM ir_model_data
                       WHERE module = 'cobranza_telefonica' AND name = 'call_context_sii'
                         AND model = 'ir.ui.view')
        """
    )
    cr.execute("DELETE FROM ir_model_data WHERE module = 'cobranza_telefonica' AND name = 'call_context_sii'")
