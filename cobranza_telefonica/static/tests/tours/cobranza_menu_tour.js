import { registry } from "@web/core/registry";

registry.category("web_tour.tours").add("cobranza_menu_tour", {
    url: "/odoo",
    steps: () => [
        {
            content: "Open the Collection app",
            trigger: ".o_app[data-menu-xmlid='cobranza_telefonica.menu_cobranza_root']",
            run: "click",
        },
        {
            content: "The invoices to collect are listed",
            trigger: ".o_list_view .o_data_row",
        },
        {
            content: "Open the customers with debt",
            trigger: ".o_menu_sections button:contains('Collect'), .o_menu_sections a:contains('Collect')",
            run: "click",
        },
        {
            trigger: ".dropdown-item:contains('Customers with debt')",
            run: "click",
        },
        {
            content: "Customers with debt are listed",
            trigger: ".o_list_view .o_data_row",
        },
    ],
});
