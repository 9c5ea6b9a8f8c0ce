import { registry } from "@web/core/registry";

// A visitor with the link of a collection e-mail pays its open documents online with Odoo's demo
// payment provider and comes back to its collection page.
registry.category("web_tour.tours").add("cobranza_portal_pay_tour", {
    steps: () => [
        {
            content: "The page offers to pay online, every open document chosen",
            trigger: ".o_cobranza_portal_pay_form input[name='move_ids']:checked",
        },
        {
            content: "Pay",
            trigger: ".o_cobranza_portal_pay_form button[type='submit']",
            run: "click",
            expectUnloadPage: true,
        },
        {
            content: "Choose the demo payment method",
            trigger: "input[name='o_payment_radio'][data-payment-method-code='demo']",
            run: "click",
        },
        {
            content: "Write a card number",
            trigger: "#customer_input",
            run: "edit 4242424242424242",
        },
        {
            content: "Pay now",
            trigger: "button[name='o_payment_submit_button']:not(:disabled)",
            run: "click",
            expectUnloadPage: true,
        },
        {
            content: "Back on the collection page, the payment received",
            trigger: ".o_cobranza_portal_message:contains('Thank you: your payment was received.')",
        },
    ],
});
