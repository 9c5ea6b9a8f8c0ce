import { registry } from "@web/core/registry";
import { stepUtils } from "@web_tour/tour_service/tour_utils";

registry.category("web_tour.tours").add("cobranza_dashboard_tour", {
    url: "/odoo",
    steps: () => [
        stepUtils.showAppsMenuItem(),
        {
            content: "Open the Collection app",
            trigger: ".o_app[data-menu-xmlid='cobranza_telefonica.menu_cobranza_root']",
            run: "click",
        },
        {
            content: "Open the Reporting menu",
            trigger: ".dropdown-toggle[data-menu-xmlid='cobranza_telefonica.menu_cobranza_reporting']",
            run: "click",
        },
        {
            content: "Open the dashboard",
            trigger: ".dropdown-item[data-menu-xmlid='cobranza_telefonica.menu_cobranza_dashboard']",
            run: "click",
        },
        {
            content: "The overdue total is shown",
            trigger: ".o_form_view div[name='total_overdue']:contains('954,000')",
        },
        {
            content: "Open the aging",
            trigger: ".o_form_view button[name='action_open_aging']",
            run: "click",
        },
        {
            content: "The aging pivot shows the buckets as columns",
            trigger: ".o_pivot_view th:contains('Over 120 days')",
        },
    ],
});
