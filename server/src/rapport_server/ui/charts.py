"""Chart geometry for the web UI. Figures are laid out here, in SVG user units, and drawn by
the macros in ``templates/_charts.html``; each chart scales to the page through its viewBox
and sits next to a table of the same figures, for screen readers and exact values."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

# Charts are drawn about as wide as a phone screen, so their 10-unit labels read at about
# 10 px there and scale up on wider screens.
LABEL_SIZE = 10


def nice_top(value: float) -> float:
    """The smallest 1, 2 or 5 × 10^k at or above ``value``, so axes end on round numbers."""
    if value <= 0:
        return 1
    power = 10 ** math.floor(math.log10(value))
    return next(step * power for step in (1, 2, 5, 10) if step * power >= value)


def short_number(value: float) -> str:
    """1234 → 1.2k, 2500000 → 2.5M: axis labels stay narrow on a phone."""
    for size, suffix in ((1e9, "B"), (1e6, "M"), (1e3, "k")):
        if abs(value) >= size:
            return f"{value / size:.1f}".rstrip("0").rstrip(".") + suffix
    return f"{value:g}"


@dataclass(frozen=True)
class Series:
    name: str
    css: str  # class that colours the series' bars and legend key
    values: Sequence[float]


def grouped_bars(
    categories: Sequence[str],
    series: Sequence[Series],
    *,
    width: int = 400,
    height: int = 200,
    ticks: int = 4,
) -> dict:
    """Vertical bars, one group per category and one bar per series, on a y axis from 0 with
    about ``ticks`` round steps (whole ones when every value is whole)."""
    left, right, top, bottom = 34, 8, 10, 24
    plot_w, plot_h = width - left - right, height - top - bottom
    values = [v for s in series for v in s.values]
    step = nice_top(max(values, default=0) / ticks)
    if all(float(v).is_integer() for v in values):
        step = max(step, 1)  # counts: no ticks at 0.25
    ticks = max(1, math.ceil(max(values, default=0) / step))
    peak = step * ticks
    slot = plot_w / max(len(categories), 1)
    bar_w = slot * 0.8 / max(len(series), 1)

    def y(value: float) -> float:
        return round(top + plot_h - value / peak * plot_h, 1)

    groups = []
    for i, category in enumerate(categories):
        x0 = left + i * slot + slot * 0.1
        bars = [
            {
                "css": s.css,
                "x": round(x0 + j * bar_w, 1),
                "y": y(s.values[i]),
                "w": round(bar_w - 1, 1),
                "h": round(top + plot_h - y(s.values[i]), 1),
                "title": f"{category}: {short_number(s.values[i])} {s.name}",
            }
            for j, s in enumerate(series)
        ]
        groups.append({"label": category, "x": round(x0 + slot * 0.4, 1), "bars": bars})
    return {
        "width": width,
        "height": height,
        "x0": left,
        "x1": left + plot_w,
        "y0": top + plot_h,
        "label_y": height - 8,
        "ticks": [{"y": y(step * k), "label": short_number(step * k)} for k in range(ticks + 1)],
        "groups": groups,
        "legend": [{"name": s.name, "css": s.css} for s in series],
    }


@dataclass(frozen=True)
class Bar:
    label: str
    value: float
    text: str  # printed after the bar
    title: str = ""  # tooltip
    css: str = "bar"
    band: tuple[float, float] | None = None  # a target range drawn behind the bar


def horizontal_bars(
    bars: Sequence[Bar], *, width: int = 400, label_width: int = 130, row: int = 24
) -> dict:
    """One labelled row per bar, longest value filling the width (text room kept on the right)."""
    span = width - label_width - 70
    peak = max([b.value for b in bars] + [hi for b in bars if b.band for hi in b.band[1:]] + [0])
    peak = peak or 1

    def w(value: float) -> float:
        return round(max(value, 0) / peak * span, 1)

    rows = []
    for i, bar in enumerate(bars):
        y = 4 + i * row
        entry = {
            "y": y,
            "bar_y": round(y + row * 0.275, 1),
            "text_y": round(y + row / 2 + LABEL_SIZE / 3, 1),
            "label": bar.label if len(bar.label) <= 22 else bar.label[:21] + "…",
            "w": w(bar.value),
            "text": bar.text,
            "title": bar.title or f"{bar.label}: {bar.text}",
            "css": bar.css,
            "band": None,
        }
        if bar.band:
            low, high = bar.band
            entry["band"] = {"x": label_width + w(low), "w": max(w(high) - w(low), 2)}
        rows.append(entry)
    return {
        "width": width,
        "height": row * len(bars) + 8,
        "label_width": label_width,
        "row": row,
        "bar_h": round(row * 0.45, 1),
        "rows": rows,
    }
