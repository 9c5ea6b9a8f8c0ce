import { registry } from "@web/core/registry";
import { stepUtils } from "@web_tour/tour_service/tour_utils";

registry.category("web_tour.tours").add("cobranza_promise_tour", {
    url: "/odoo",
    steps: () => {
        const promisedDate = luxon.DateTime.now().plus({ days: 7 }).toFormat("MM/dd/yyyy");
        return [
            stepUtils.showAppsMenuItem(),
            {
                content: "Open the Collection app",
                trigger: ".o_app[data-menu-xmlid='cobranza_telefonica.menu_cobranza_root']",
                run: "click",
            },
            {
                content: "Open the Collect menu",
                trigger: ".dropdown-toggle[data-menu-xmlid='cobranza_telefonica.menu_cobranza_collect']",
                run: "click",
            },
            {
                content: "Open the promises to pay",
                trigger: ".dropdown-item[data-menu-xmlid='cobranza_telefonica.menu_cobranza_promise']",
                run: "click",
            },
            {
                content: "Record a new promise",
                trigger: ".o_list_button_add",
                run: "click",
            },
            {
                content: "Choose the customer",
                trigger: ".o_field_widget[name='partner_id'] input",
                run: "edit Ferretería",
            },
            {
                content: "Pick it",
                trigger: ".o-autocomplete--dropdown-item:contains('Ferretería Los Robles')",
                run: "click",
            },
            {
                content: "Promised date, a week ahead",
                trigger: ".o_field_widget[name='date'] input",
                run: `edit ${promisedDate}`,
            },
            {
                content: "Add an invoice",
                trigger: ".o_field_widget[name='line_ids'] .o_field_x2many_list_row_add a",
                run: "click",
            },
            {
                content: "Choose the overdue invoice",
                trigger: ".o_field_widget[name='line_ids'] .o_field_widget[name='move_id'] input",
                run: "edit 000001",
            },
            {
                content: "Pick it",
                trigger: ".o-autocomplete--dropdown-item:contains('000001')",
                run: "click",
            },
            {
                content: "Amount promised on it",
                trigger: ".o_field_widget[name='line_ids'] .o_field_widget[name='amount'] input",
                run: "edit 100000",
            },
            {
                content: "Save",
                trigger: ".o_form_button_save",
                run: "click",
            },
            {
                content: "Saved and open",
                trigger: ".o_form_saved .o_field_widget[name='amount']:contains('100')",
            },
        ];
    },
});
