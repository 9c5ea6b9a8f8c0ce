{
    "name": "Cobranza telefónica",
    "summary": "Telephone collection of receivables: follow-up levels, guided calls, "
    "promises to pay and receivables aging, built around the Chilean DTE",
    "version": "18.0.1.0.0",
    "category": "Accounting/Accounting",
    "website": "https://github.com/cobranza-telefonica/cobranza_telefonica",
    "author": "Cobranza Telefónica",
    "license": "LGPL-3",
    "application": True,
    "depends": ["account", "mail", "l10n_cl"],
    "external_dependencies": {"python": ["lxml", "zeep", "xlsxwriter"]},
    "data": [
        "security/cobranza_security.xml",
        "security/ir.model.access.csv",
        "security/cobranza_rules.xml",
        "data/mail_activity_type_data.xml",
        "data/cobranza_aging_cron.xml",
        "views/account_move_views.xml",
        "views/res_partner_views.xml",
        "views/cobranza_aging_report_views.xml",
        "views/cobranza_dashboard_views.xml",
        "views/res_partner_risk_views.xml",
        "report/customer_statement_report.xml",
        "views/menus.xml",
    ],
    "demo": [
        "demo/res_users_demo.xml",
        "demo/res_partner_demo.xml",
        "demo/cobranza_demo.xml",
    ],
    "assets": {
        "web.assets_tests": [
            "cobranza_telefonica/static/tests/tours/*.js",
        ],
    },
}
