import { registry } from "@web/core/registry";

// A collector offers a settlement discount from a call; above the rule's approval limit it
// waits for a manager.
registry.category("web_tour.tours").add("cobranza_discount_offer_tour", {
    steps: () => [
        {
            content: "Offer a settlement discount from the call",
            trigger: "button[name='action_cobranza_offer_discount']",
            run: "click",
        },
        {
            content: "The overdue invoice is on the offer",
            trigger: ".o_field_widget[name='line_ids'] .o_data_row",
        },
        {
            content: "Offer 8 %",
            trigger: ".o_field_widget[name='requested_percent'] input",
            run: "edit 8",
        },
        {
            content: "Save",
            trigger: ".o_form_button_save",
            run: "click",
        },
        {
            content: "It waits for a manager's approval",
            trigger: ".o_form_saved .o_field_widget[name='needs_approval'] input:checked",
        },
        {
            content: "The collector cannot offer it yet",
            trigger: ".o_form_statusbar:not(:has(button[name='action_offer']))",
        },
    ],
});

// The manager approves it and offers it to the customer.
registry.category("web_tour.tours").add("cobranza_discount_approve_tour", {
    steps: () => [
        {
            content: "Approve",
            trigger: "button[name='action_approve']",
            run: "click",
        },
        {
            content: "Approved",
            trigger: ".o_statusbar_status .o_arrow_button_current:contains('Approved')",
        },
        {
            content: "Offer it",
            trigger: "button[name='action_offer']",
            run: "click",
        },
        {
            content: "Offered",
            trigger: ".o_statusbar_status .o_arrow_button_current:contains('Offered')",
        },
    ],
});
