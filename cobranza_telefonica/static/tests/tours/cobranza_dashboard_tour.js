import { registry } from "@web/core/registry";
import { stepUtils } from "@web_tour/tour_service/tour_utils";

/** Click the bar of the aging chart labelled ``label``, where Chart.js drew it. */
function clickBar(label) {
    const canvas = document.querySelector("canvas.o_cobranza_aging_chart");
    const chart = window.Chart.getChart(canvas);
    const index = chart.data.labels.indexOf(label);
    if (index < 0) {
        throw new Error(`No bar labelled ${label}`);
    }
    const bar = chart.getDatasetMeta(0).data[index];
    const rect = canvas.getBoundingClientRect();
    canvas.dispatchEvent(
        new MouseEvent("click", {
            bubbles: true,
            clientX: rect.left + bar.x,
            clientY: rect.top + (bar.y + bar.base) / 2,
        })
    );
}

/**
 * The dashboard as a manager sees it, in the language of ``texts``: the title, the overdue in
 * pesos without decimals, the overdue share with "%", the charts, then a click on the bar over
 * 120 days that must land on exactly its three aging lines (the tests' data).
 */
function dashboardSteps(texts) {
    return [
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
            content: "The dashboard is titled as such, without a record pager",
            trigger: `.o_control_panel .o_breadcrumb:contains('${texts.title}'):not(:has(.o_pager))`,
        },
        {
            content: "The overdue total is in pesos without decimals",
            trigger: `.o_cobranza_kpi[name='total_overdue'] .o_cobranza_kpi_value:contains('${texts.overdue}'):not(:contains('${texts.decimals}'))`,
        },
        {
            content: "The overdue share carries its % sign",
            trigger: ".o_cobranza_kpi[name='overdue_percent'] .o_cobranza_kpi_value:contains('100%')",
        },
        {
            content: "The trend and the DSO/CEI charts are drawn",
            trigger: "canvas.o_cobranza_trend_chart",
        },
        {
            content: "The DSO/CEI chart is drawn",
            trigger: "canvas.o_cobranza_ratio_chart",
        },
        {
            content: "Click the bar of the bucket over 120 days",
            trigger: "canvas.o_cobranza_aging_chart",
            run: () => clickBar(texts.bucket),
        },
        {
            content: "The aging list of that bucket opens",
            trigger: `.o_control_panel .o_breadcrumb:contains('${texts.bucketTitle}')`,
        },
        {
            content: "Exactly its three lines, adding up to the bar",
            trigger: `.o_list_view tfoot:contains('${texts.overdue}')`,
            run() {
                const rows = document.querySelectorAll(".o_list_view .o_data_row");
                const customers = [...rows].map((row) => row.querySelector("[name='partner_id']").innerText);
                if (rows.length !== 3 || customers.some((name) => !name.includes("Ferretería Los Robles"))) {
                    console.error(`Expected the three lines of Ferretería Los Robles, got: ${customers}`);
                }
            },
        },
    ];
}

registry.category("web_tour.tours").add("cobranza_dashboard_tour", {
    url: "/odoo",
    steps: () =>
        dashboardSteps({
            title: "Collection dashboard",
            overdue: "954,000",
            decimals: ".00",
            bucket: "Over 120 days",
            bucketTitle: "Receivables aging: Over 120 days",
        }),
});

registry.category("web_tour.tours").add("cobranza_dashboard_es_tour", {
    url: "/odoo",
    steps: () =>
        dashboardSteps({
            title: "Tablero de cobranza",
            overdue: "954.000",
            decimals: ",00",
            bucket: "Más de 120 días",
            bucketTitle: "Antigüedad de cuentas por cobrar: Más de 120 días",
        }),
});
