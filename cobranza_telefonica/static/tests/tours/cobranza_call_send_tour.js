import { browser } from "@web/core/browser/browser";
import { registry } from "@web/core/registry";
import { stepUtils } from "@web_tour/tour_service/tour_utils";

// From the call screen the collector opens a WhatsApp chat, is refused a second message the same
// day, records the call and goes on to the next one, sends it the payment details and records it:
// with no call left, back to the queue.
registry.category("web_tour.tours").add("cobranza_call_send_tour", {
    url: "/odoo",
    steps: () => [
        stepUtils.showAppsMenuItem(),
        {
            content: "Open the Collection app",
            trigger: ".o_app[data-menu-xmlid='cobranza_telefonica.menu_cobranza_root']",
            run: "click",
        },
        {
            content: "Call the first customer of the queue",
            trigger: ".o_data_row:first-child:contains('Ferretería Los Robles') button[name='action_cobranza_start_call']",
            run: "click",
        },
        {
            content: "The call screen is open; the WhatsApp chat opens in a new window (kept here)",
            trigger: ".modal .o_cobranza_call_send button[name='action_cobranza_whatsapp']",
            run(helpers) {
                browser.open = (url) => {
                    document.body.dataset.cobranzaOpened = url;
                    return { closed: false };
                };
                helpers.click();
            },
        },
        {
            content: "The chat with the customer's mobile was opened, with the text prefilled",
            trigger: "body[data-cobranza-opened] .modal .o_cobranza_call_context",
            run() {
                const url = document.body.dataset.cobranzaOpened;
                if (!url.startsWith("https://wa.me/56987654321?text=")) {
                    throw new Error(`WhatsApp opened ${url || "nothing"}`);
                }
            },
        },
        {
            content: "Send the payment details as well",
            trigger: ".modal .o_cobranza_call_send button[name='action_cobranza_send_payment_details']",
            run: "click",
        },
        {
            content: "The gate refuses a second message the same day, and says why",
            trigger: ".modal .o_error_dialog:contains('not allowed now')",
        },
        {
            content: "Close the message",
            trigger: ".modal:has(.o_error_dialog) footer .btn-primary",
            run: "click",
        },
        {
            content: "Nobody answered",
            trigger: ".modal div[name='contact_result'] select",
            run: 'select "no_answer"',
        },
        {
            content: "Record and go to the next call",
            trigger: ".modal footer button[name='action_confirm_next']",
            run: "click",
        },
        {
            content: "The next customer's call screen opens",
            trigger: ".modal .modal-title:contains('Juan Pérez Soto')",
        },
        {
            content: "Tick the greeting",
            trigger: ".modal div[name='line_ids'] .o_data_row:nth-child(1) td[name='done'] input",
            run: "click",
        },
        {
            content: "The greeting is ticked",
            trigger: ".modal div[name='line_ids'] .o_data_row:nth-child(1) td[name='done'] input:checked",
        },
        {
            content: "Send the payment details",
            trigger: ".modal .o_cobranza_call_send button[name='action_cobranza_send_payment_details']",
            run: "click",
        },
        {
            content: "Sent, to the customer's e-mail",
            trigger: ".o_notification:contains('Payment details sent to pagos@12533840.cl')",
        },
        {
            content: "The call screen stays open, the greeting still ticked",
            trigger: ".modal:contains('Juan Pérez Soto') div[name='line_ids'] .o_data_row:nth-child(1) td[name='done'] input:checked",
        },
        {
            content: "The customer was busy",
            trigger: ".modal div[name='contact_result'] select",
            run: 'select "busy"',
        },
        {
            content: "Record and go to the next call",
            trigger: ".modal footer button[name='action_confirm_next']",
            run: "click",
        },
        {
            content: "No call left: back to the queue",
            trigger: ".o_notification:contains('No more calls')",
        },
        {
            content: "The queue, without a call screen",
            trigger: "body:not(:has(.modal)) .o_list_view",
        },
    ],
});
