import { registry } from "@web/core/registry";
import { stepUtils } from "@web_tour/tour_service/tour_utils";

registry.category("web_tour.tours").add("cobranza_menu_tour", {
    url: "/odoo",
    steps: () => [
        stepUtils.showAppsMenuItem(),
        {
            content: "Open the Collection app",
            trigger: ".o_app[data-menu-xmlid='cobranza_telefonica.menu_cobranza_root']",
            run: "click",
        },
        {
            content: "A collector lands on the calls of the day",
            trigger: ".o_breadcrumb:contains('My calls today')",
        },
        {
            content: "Open the Collect menu",
            trigger: ".dropdown-toggle[data-menu-xmlid='cobranza_telefonica.menu_cobranza_collect']",
            run: "click",
        },
        {
            content: "Open the invoices to collect",
            trigger: ".dropdown-item[data-menu-xmlid='cobranza_telefonica.menu_cobranza_invoice']",
            run: "click",
        },
        {
            content: "The overdue invoice is listed with its folio",
            trigger: ".o_list_view .o_data_row td[name='l10n_latam_document_number']:contains('000001')",
        },
        {
            content: "Open the Collect menu",
            trigger: ".dropdown-toggle[data-menu-xmlid='cobranza_telefonica.menu_cobranza_collect']",
            run: "click",
        },
        {
            content: "Open the customers with debt",
            trigger: ".dropdown-item[data-menu-xmlid='cobranza_telefonica.menu_cobranza_partner']",
            run: "click",
        },
        {
            content: "The customer with debt is listed",
            trigger: ".o_list_view .o_data_row td[name='name']:contains('Ferretería Los Robles')",
        },
    ],
});
