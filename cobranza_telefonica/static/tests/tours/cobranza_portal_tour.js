import { registry } from "@web/core/registry";

// The customer's collection page, opened with the link of a collection e-mail (anonymous) or by
// a portal user: a promise to pay, a dispute and a call request. Dates count from the company's
// today that the page carries (the server's clock, which the test sets), not the browser's.
function companyDay(offset) {
    const today = document.querySelector(".o_cobranza_portal_section").dataset.today;
    const day = new Date(`${today}T12:00:00Z`);
    day.setUTCDate(day.getUTCDate() + offset);
    return day.toISOString().slice(0, 10);
}

function portalSteps() {
    return [
        {
            content: "The page lists the open documents",
            trigger: ".o_cobranza_portal_documents tbody tr",
        },
        {
            content: "Choose the first document to promise on",
            trigger: ".o_cobranza_portal_promise_form input[name='move_ids']:first",
            run: "check",
        },
        {
            content: "Promise an amount",
            trigger: ".o_cobranza_portal_promise_form input[name='amount']",
            run: "edit 10000",
        },
        {
            content: "Promise a date",
            trigger: ".o_cobranza_portal_promise_form input[name='date']",
            run() {
                this.anchor.value = companyDay(5);
            },
        },
        {
            content: "Send the promise",
            trigger: ".o_cobranza_portal_promise_form button[type='submit']",
            run: "click",
            expectUnloadPage: true,
        },
        {
            content: "The promise is recorded",
            trigger: ".o_cobranza_portal_message",
        },
        {
            content: "Choose the reason of the dispute",
            trigger: ".o_cobranza_portal_dispute_form select[name='kind']",
            run: "select wrong_amount",
        },
        {
            content: "Explain the dispute",
            trigger: ".o_cobranza_portal_dispute_form textarea[name='comment']",
            run: "edit The price is not the one agreed",
        },
        {
            content: "Send the dispute",
            trigger: ".o_cobranza_portal_dispute_form button[type='submit']",
            run: "click",
            expectUnloadPage: true,
        },
        {
            content: "The dispute is recorded and the document shows it",
            trigger: ".o_cobranza_portal_message ~ .o_cobranza_portal_section .o_cobranza_portal_documents .badge",
        },
        {
            content: "Choose the day of the call",
            trigger: ".o_cobranza_portal_call_form input[name='day']",
            run() {
                this.anchor.value = companyDay(1);
            },
        },
        {
            content: "Choose the time of the call",
            trigger: ".o_cobranza_portal_call_form select[name='slot']",
            run: "select 10:30",
        },
        {
            content: "Ask for the call",
            trigger: ".o_cobranza_portal_call_form button[type='submit']",
            run: "click",
            expectUnloadPage: true,
        },
        {
            content: "The call request is recorded",
            trigger: ".o_cobranza_portal_message",
        },
    ];
}

registry.category("web_tour.tours").add("cobranza_portal_tour", { steps: portalSteps });

registry.category("web_tour.tours").add("cobranza_portal_my_tour", {
    steps: () => [
        {
            content: "Open the collection page from the customer's portal",
            trigger: "a[href='/my/cobranza']",
            run: "click",
            expectUnloadPage: true,
        },
        ...portalSteps(),
    ],
});
