import { registry } from "@web/core/registry";

// Pay the open documents online with Odoo's demo payment provider and come back to the
// collection page.
function paySteps() {
    return [
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
    ];
}

// Rate the last call on Odoo's rating page (satisfied, with a comment), then come back to the
// collection page, where the call shows as rated.
function rateSteps() {
    return [
        {
            content: "The collection page offers to rate the last call: satisfied",
            trigger: "a.o_cobranza_rate_5",
            run() {
                // Where to come back to (a visitor's page carries its token in the address).
                sessionStorage.setItem("cobranzaPage", window.location.href);
                this.anchor.click();
            },
            expectUnloadPage: true,
        },
        {
            content: "Say why",
            trigger: "textarea[name='feedback']",
            run: "edit Very kind and clear",
        },
        {
            content: "Send the rating",
            trigger: "form[action*='submit_feedback'] button[type='submit']",
            run: "click",
            expectUnloadPage: true,
        },
        {
            content: "Odoo thanks the customer for the rating; back to the collection page",
            trigger: "h3:contains('Thank you for your feedback!')",
            run() {
                window.location.href = sessionStorage.getItem("cobranzaPage");
            },
            expectUnloadPage: true,
        },
        {
            content: "Back on the collection page, the call is rated",
            trigger: ".o_cobranza_portal_rated",
        },
    ];
}

// A visitor with the link of a collection e-mail rates the last call, then pays.
registry.category("web_tour.tours").add("cobranza_portal_pay_tour", {
    steps: () => [...rateSteps(), ...paySteps()],
});

// A portal user of the customer opens its collection page from its portal, rates the last call
// and pays.
registry.category("web_tour.tours").add("cobranza_portal_pay_rate_my_tour", {
    steps: () => [
        {
            content: "Open the collection page from the customer's portal",
            trigger: "a[href='/my/cobranza']",
            run: "click",
            expectUnloadPage: true,
        },
        ...rateSteps(),
        ...paySteps(),
    ],
});
