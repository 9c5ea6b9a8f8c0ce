import { registry } from "@web/core/registry";
import { stepUtils } from "@web_tour/tour_service/tour_utils";

const { DateTime } = luxon;

// The server's "today" (its clock is the test's); the browser's own clock is not used.
function serverToday() {
    return window.cobranzaTourToday ? DateTime.fromISO(window.cobranzaTourToday) : DateTime.now();
}

// The call screen fits the window: ``selector`` is in view and neither the dialog nor its body
// scrolls (each pane scrolls on its own).
function checkInView(selector) {
    const element = document.querySelector(selector);
    if (!element) {
        throw new Error(`${selector} is not on the call screen`);
    }
    const { top, bottom } = element.getBoundingClientRect();
    if (top < 0 || bottom > window.innerHeight) {
        throw new Error(`${selector} is out of view (${top}-${bottom} px, window ${window.innerHeight} px)`);
    }
    for (const scroller of [".o_dialog .modal", ".o_dialog .modal-body"]) {
        const box = document.querySelector(scroller);
        if (box.scrollHeight > box.clientHeight + 1) {
            throw new Error(`${scroller} scrolls (${box.scrollHeight} > ${box.clientHeight} px)`);
        }
    }
}

registry.category("web_tour.tours").add("cobranza_call_tour", {
    url: "/odoo",
    steps: () => {
        const today = serverToday();
        const promiseDate = today.plus({ days: 10 }).toFormat("MM/dd/yyyy");
        const tomorrow = today.plus({ days: 1 }).toFormat("MM/dd/yyyy");
        const nextCall = today
            .plus({ days: 2 })
            .set({ hour: 12, minute: 0, second: 0 })
            .toFormat("MM/dd/yyyy HH:mm:ss");
        return [
            stepUtils.showAppsMenuItem(),
            {
                content: "Open the Collection app",
                trigger: ".o_app[data-menu-xmlid='cobranza_telefonica.menu_cobranza_root']",
                run: "click",
            },
            {
                content: "The app opens on my calls: the customer with most overdue comes first, ranked 1",
                trigger: ".o_list_view .o_data_row:first-child td[name='cobranza_partner_id']:contains('Ferretería Los Robles')",
            },
            {
                content: "The queue fits the screen: call button first, at most 8 columns, no sideways scrolling",
                trigger: ".o_list_view .o_data_row:first-child td[name='cobranza_rank']:contains('1')",
                run() {
                    const renderer = document.querySelector(".o_list_renderer");
                    const columns = [...document.querySelectorAll(".o_list_table thead th")].filter(
                        (th) =>
                            !th.classList.contains("o_list_record_selector") &&
                            !th.classList.contains("o_list_actions_header")
                    );
                    if (columns.length > 8) {
                        throw new Error(`The queue shows ${columns.length} columns (8 at most)`);
                    }
                    if (renderer.scrollWidth > renderer.clientWidth + 1) {
                        throw new Error(`The queue scrolls sideways (${renderer.scrollWidth} > ${renderer.clientWidth} px)`);
                    }
                    const row = document.querySelector(".o_data_row");
                    const cells = [...row.querySelectorAll("td")].filter(
                        (td) => !td.classList.contains("o_list_record_selector")
                    );
                    if (!cells[0].querySelector("button[name='action_cobranza_start_call']")) {
                        throw new Error("The call button is not the first column");
                    }
                    const name = row.querySelector("td[name='cobranza_partner_id']");
                    if (name.scrollWidth > name.clientWidth + 1) {
                        throw new Error(`The customer's name is cut: ${name.textContent}`);
                    }
                    const phone = row.querySelector("td[name='cobranza_phone']");
                    if (!phone.textContent.trim()) {
                        throw new Error("The customer's phone is not shown");
                    }
                },
            },
            {
                content: "Switch to the kanban",
                trigger: ".o_switch_view.o_kanban",
                run: "click",
            },
            {
                content: "The calls are grouped by queue, with the amount overdue",
                trigger: ".o_kanban_group .o_kanban_record:contains('Ferretería Los Robles'):contains('250,000')",
            },
            {
                content: "Back to the list",
                trigger: ".o_switch_view.o_list",
                run: "click",
            },
            {
                content: "Start the call",
                trigger: ".o_data_row:contains('Ferretería Los Robles') button[name='action_cobranza_start_call']",
                run: "click",
            },
            {
                content: "The call screen shows the open invoices",
                trigger: ".modal .o_cobranza_open_invoices td:contains('000001')",
            },
            {
                content: "Two panes at 1440 x 900: the context on the left, the outcome on the right, all in view",
                trigger: ".modal .o_cobranza_call_outcome_pane div[name='contact_result'] select",
                run() {
                    checkInView(".modal div[name='contact_result'] select");
                    checkInView(".modal footer button[name='action_confirm']");
                    const context = document.querySelector(".modal .o_cobranza_call_context_pane");
                    const outcome = document.querySelector(".modal .o_cobranza_call_outcome_pane");
                    if (outcome.getBoundingClientRect().left < context.getBoundingClientRect().right - 1) {
                        throw new Error("The outcome is not beside the context");
                    }
                },
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
                content: "Tick the reason of the call",
                trigger: ".modal div[name='line_ids'] .o_data_row:nth-child(3) td[name='done'] input",
                run: "click",
            },
            {
                content: "The reason is ticked",
                trigger: ".modal div[name='line_ids'] .o_data_row:nth-child(3) td[name='done'] input:checked",
            },
            {
                content: "Nobody is assumed to have answered: the outcome waits for the result",
                trigger: ".modal:not(:has(div[name='outcome'] select))",
            },
            {
                content: "Open the objections",
                trigger: ".modal .o_notebook_headers a[name='objections']",
                run: "click",
            },
            {
                content: "The objections are listed as chips",
                trigger: ".modal .o_cobranza_objection_chips .o_selection_badge:contains('No tengo dinero este mes')",
                run() {
                    const chips = document.querySelectorAll(".modal .o_cobranza_objection_chips .o_selection_badge");
                    if (chips.length < 5) {
                        throw new Error(`${chips.length} objections listed (5 expected)`);
                    }
                },
            },
            {
                content: "The customer has no money this month",
                trigger: ".modal .o_cobranza_objection_chips .o_selection_badge:contains('No tengo dinero este mes')",
                run: "click",
            },
            {
                content: "The suggested answer is shown",
                trigger: ".modal .o_cobranza_objection_answer:contains('plan de pago en cuotas')",
            },
            {
                content: "The objection proposes its outcome: the debtor answered, a payment plan",
                trigger: ".modal .o_cobranza_objection_chips .o_selection_badge.active:contains('No tengo dinero este mes')",
                run() {
                    const value = (name) => document.querySelector(`.modal div[name='${name}'] select`).value;
                    if (value("contact_result") !== '"debtor"' || value("outcome") !== '"payment_plan"') {
                        throw new Error(`Result ${value("contact_result")}, outcome ${value("outcome")}`);
                    }
                    checkInView(".modal div[name='outcome'] select");
                    checkInView(".modal div[name='plan_instalments'] input");
                    checkInView(".modal footer button[name='action_confirm']");
                },
            },
            {
                content: "The debtor answered",
                trigger: ".modal div[name='contact_result'] select",
                run: 'select "debtor"',
            },
            {
                content: "The customer promises to pay",
                trigger: ".modal div[name='outcome'] select",
                run: 'select "promise"',
            },
            {
                content: "Amount promised",
                trigger: ".modal div[name='promise_amount'] input",
                run: "edit 60000",
            },
            {
                content: "Date promised",
                trigger: ".modal div[name='promise_date'] input",
                run: `edit ${promiseDate}`,
            },
            {
                content: "Notes",
                trigger: ".modal div[name='note'] textarea",
                run: "edit Paga por transferencia",
            },
            {
                content: "The promised date is kept",
                trigger: `.modal div[name='promise_date'] input:value(${promiseDate})`,
            },
            {
                content: "Record the call",
                trigger: ".modal footer button[name='action_confirm']",
                run: "click",
            },
            {
                content: "The call is recorded",
                trigger: ".o_notification:contains('Promise to pay')",
            },
            {
                content: "The call screen closes",
                trigger: "body:not(:has(.modal))",
            },
            {
                content: "Call the second customer",
                trigger: ".o_data_row:contains('Juan Pérez Soto') button[name='action_cobranza_start_call']",
                run: "click",
            },
            {
                content: "The customer answers",
                trigger: ".modal div[name='contact_result'] select",
                run: 'select "debtor"',
            },
            {
                content: "The customer asks to be called back",
                trigger: ".modal div[name='outcome'] select",
                run: 'select "call_back"',
            },
            {
                content: "A call back proposes tomorrow",
                trigger: `.modal div[name='next_call'] input:value(${tomorrow})`,
            },
            {
                content: "Agreed time of the next call",
                trigger: ".modal div[name='next_call'] input",
                run: `edit ${nextCall}`,
            },
            {
                content: "Leave the date field",
                trigger: ".modal div[name='note'] textarea",
                run: "click",
            },
            {
                content: "The agreed time is kept",
                trigger: `.modal div[name='next_call'] input:value(${nextCall.slice(0, 10)})`,
            },
            {
                content: "Record the call back",
                trigger: ".modal footer button[name='action_confirm']",
                run: "click",
            },
            {
                content: "The call back is recorded",
                trigger: ".o_notification:contains('Call back')",
            },
            {
                content: "The call screen closes again",
                trigger: "body:not(:has(.modal))",
            },
            {
                content: "Open the customers with debt",
                trigger: ".dropdown-toggle[data-menu-xmlid='cobranza_telefonica.menu_cobranza_collect']",
                run: "click",
            },
            {
                content: "Customers with debt",
                trigger: ".dropdown-item[data-menu-xmlid='cobranza_telefonica.menu_cobranza_partner']",
                run: "click",
            },
            {
                content: "Open the customer called back",
                trigger: ".o_list_view .o_data_row td[name='name']:contains('Juan Pérez Soto')",
                run: "click",
            },
            {
                content: "The next call is in the chatter: start it from there",
                trigger: ".o-mail-Activity .o-cobranza-Activity-startCall",
                run: "click",
            },
            {
                content: "The call screen opens for that customer",
                trigger: ".modal .o_cobranza_call_context",
            },
            {
                content: "Close it without recording",
                trigger: ".modal footer button.btn-secondary",
                run: "click",
            },
            {
                content: "Closed",
                trigger: "body:not(:has(.modal))",
            },
        ];
    },
});
