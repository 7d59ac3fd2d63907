"""Insights as the web UI shows them: the figures of rapport_core.insights laid out as charts
(geometry in ui/charts.py) for the dashboard and the partner page."""

from __future__ import annotations

import datetime as dt

from rapport_core.insights.funnel import Funnel
from rapport_core.insights.metrics import Metrics

from rapport_server.ui.charts import Bar, Series, grouped_bars, horizontal_bars

MONTHS = 12
TOP_PARTNERS = 5


def month_starts(today: dt.date, count: int = MONTHS) -> list[dt.date]:
    """The first day of each of the ``count`` calendar months ending with ``today``'s."""
    months, year, month = [], today.year, today.month
    for _ in range(count):
        months.append(dt.date(year, month, 1))
        year, month = (year, month - 1) if month > 1 else (year - 1, 12)
    return months[::-1]


def monthly_chart(metrics: Metrics, months: list[dt.date]) -> tuple[dict, list[dict]]:
    """Sent and received per month, months without referrals shown as zero."""
    counts = {m.month: m for m in metrics.monthly}
    rows = []
    for start in months:
        month = counts.get(f"{start:%Y-%m}")
        rows.append(
            {
                "label": f"{start:%b}",
                "month": f"{start:%B %Y}",
                "received": month.received if month else 0,
                "sent": month.sent if month else 0,
            }
        )
    chart = grouped_bars(
        [r["label"] for r in rows],
        [
            Series("received", "series-received", [r["received"] for r in rows]),
            Series("sent", "series-sent", [r["sent"] for r in rows]),
        ],
    )
    return chart, rows


def funnel_chart(funnel: Funnel) -> dict:
    return horizontal_bars(
        [
            Bar(
                label=step.stage.value.capitalize(),
                value=step.reached,
                text=f"{step.reached}" + (f" · {step.share:.0%}" if step.share is not None else ""),
            )
            for step in funnel.steps
        ]
    )


def top_partners_chart(metrics: Metrics) -> tuple[dict, list]:
    top = [s for s in metrics.by_source if s.partner_id and s.received][:TOP_PARTNERS]
    chart = horizontal_bars(
        [
            Bar(label=s.source, value=float(s.actual_value), text=f"${s.actual_value:,.0f}")
            for s in top
        ]
    )
    return chart, top
