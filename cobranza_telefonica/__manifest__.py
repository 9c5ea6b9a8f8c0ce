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
    "external_dependencies": {"python": ["lxml", "zeep"]},
    "data": [
        "security/cobranza_security.xml",
        "security/ir.model.access.csv",
        "security/cobranza_rules.xml",
        "data/mail_activity_type_data.xml",
        "data/cobranza_followup_data.xml",
        "report/cobranza_letter_report.xml",
        "views/account_move_views.xml",
        "views/res_partner_views.xml",
        "views/cobranza_level_views.xml",
        "views/cobranza_followup_run_views.xml",
        "views/cobranza_guardrail_views.xml",
        "views/account_move_followup_views.xml",
        "views/res_partner_followup_views.xml",
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
