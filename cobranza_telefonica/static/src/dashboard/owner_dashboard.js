import { Component, onMounted, onWillStart, onWillUnmount, useRef } from "@odoo/owl";
import { loadBundle } from "@web/core/assets";
import { cookie } from "@web/core/browser/cookie";
import { getColor } from "@web/core/colors/colors";
import { formatCurrency } from "@web/core/currency";
import { _t } from "@web/core/l10n/translation";
import { registry } from "@web/core/registry";
import { useService } from "@web/core/utils/hooks";
import { formatFloat, formatInteger, formatPercentage } from "@web/views/fields/formatters";
import { Layout } from "@web/search/layout";
import { standardActionServiceProps } from "@web/webclient/actions/action_service";

const colorScheme = cookie.get("color_scheme");

/**
 * The owner's collection dashboard: KPI cards, the aging by bucket, the overdue, DSO and CEI
 * over the month ends and the collectors compared. Every figure and every drill-down action
 * (with its domain) comes from one call, cobranza.owner.dashboard.get_dashboard_data.
 */
export class OwnerDashboard extends Component {
    static template = "cobranza_telefonica.OwnerDashboard";
    static components = { Layout };
    static props = { ...standardActionServiceProps };

    setup() {
        this.orm = useService("orm");
        this.action = useService("action");
        this.agingCanvas = useRef("agingCanvas");
        this.trendCanvas = useRef("trendCanvas");
        this.ratioCanvas = useRef("ratioCanvas");
        this.charts = [];
        onWillStart(async () => {
            await loadBundle("web.chartjs_lib");
            this.data = await this.orm.call("cobranza.owner.dashboard", "get_dashboard_data", []);
        });
        onMounted(() => this.renderCharts());
        onWillUnmount(() => this.charts.forEach((chart) => chart.destroy()));
    }

    money(amount) {
        return formatCurrency(amount || 0, this.data.currency_id);
    }

    shortMoney(amount) {
        return formatCurrency(amount || 0, this.data.currency_id, { humanReadable: true });
    }

    percent(value) {
        return formatPercentage((value || 0) / 100, { digits: [16, 1] });
    }

    formatKpi(card) {
        switch (card.kind) {
            case "monetary":
                return this.money(card.value);
            case "percent":
                return this.percent(card.value);
            case "integer":
                return formatInteger(card.value || 0);
            default:
                return formatFloat(card.value || 0, { digits: [16, 1] });
        }
    }

    openAction(action) {
        return this.action.doAction(action);
    }

    renderCharts() {
        const Chart = window.Chart;
        const baseOptions = {
            animation: false,
            maintainAspectRatio: false,
            responsive: true,
        };
        const buckets = this.data.buckets;
        this.charts.push(
            new Chart(this.agingCanvas.el, {
                type: "bar",
                data: {
                    labels: buckets.map((bucket) => bucket.label),
                    datasets: [
                        {
                            label: _t("Receivable"),
                            data: buckets.map((bucket) => bucket.amount),
                            backgroundColor: buckets.map((_bucket, index) =>
                                getColor(index, colorScheme, buckets.length)
                            ),
                        },
                    ],
                },
                options: {
                    ...baseOptions,
                    plugins: {
                        legend: { display: false },
                        tooltip: {
                            callbacks: { label: (item) => this.money(item.parsed.y) },
                        },
                    },
                    scales: { y: { ticks: { callback: (value) => this.shortMoney(value) } } },
                    onClick: (_event, elements) => {
                        if (elements.length) {
                            this.openAction(buckets[elements[0].index].action);
                        }
                    },
                    onHover: (event, elements) => {
                        event.native.target.style.cursor = elements.length ? "pointer" : "default";
                    },
                },
            })
        );
        const points = this.data.trend.points;
        if (!points.length) {
            return;
        }
        const labels = points.map((point) => point.label);
        this.charts.push(
            new Chart(this.trendCanvas.el, {
                type: "line",
                data: {
                    labels,
                    datasets: [
                        {
                            label: _t("Overdue"),
                            data: points.map((point) => point.overdue),
                            borderColor: getColor(5, colorScheme, 6),
                            backgroundColor: getColor(5, colorScheme, 6),
                            tension: 0,
                        },
                        {
                            label: _t("Total receivable"),
                            data: points.map((point) => point.residual),
                            borderColor: getColor(0, colorScheme, 6),
                            backgroundColor: getColor(0, colorScheme, 6),
                            tension: 0,
                        },
                    ],
                },
                options: {
                    ...baseOptions,
                    plugins: {
                        tooltip: {
                            callbacks: {
                                label: (item) => `${item.dataset.label}: ${this.money(item.parsed.y)}`,
                            },
                        },
                    },
                    scales: { y: { beginAtZero: true, ticks: { callback: (value) => this.shortMoney(value) } } },
                    onClick: (_event, elements) => {
                        if (elements.length) {
                            this.openAction(this.data.trend.action);
                        }
                    },
                },
            })
        );
        this.charts.push(
            new Chart(this.ratioCanvas.el, {
                type: "line",
                data: {
                    labels,
                    datasets: [
                        {
                            label: _t("DSO (days)"),
                            data: points.map((point) => point.dso),
                            borderColor: getColor(1, colorScheme, 6),
                            backgroundColor: getColor(1, colorScheme, 6),
                            yAxisID: "days",
                            tension: 0,
                        },
                        {
                            label: _t("CEI (%)"),
                            data: points.map((point) => point.cei),
                            borderColor: getColor(2, colorScheme, 6),
                            backgroundColor: getColor(2, colorScheme, 6),
                            yAxisID: "percent",
                            tension: 0,
                        },
                    ],
                },
                options: {
                    ...baseOptions,
                    spanGaps: true,
                    scales: {
                        days: { position: "left", beginAtZero: true },
                        percent: {
                            position: "right",
                            beginAtZero: true,
                            grid: { drawOnChartArea: false },
                            ticks: { callback: (value) => this.percent(value) },
                        },
                    },
                },
            })
        );
    }
}

registry.category("actions").add("cobranza_owner_dashboard", OwnerDashboard);
