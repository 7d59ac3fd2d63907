"""Network pages: the partner matrix, network gaps and suggested partners."""

from __future__ import annotations

from typing import Annotated

from litestar import get
from litestar.di import NamedDependency
from litestar.params import QueryParameter
from litestar.response import Template
from rapport_core.network.facts import network_facts
from rapport_core.network.gaps import build_gaps
from rapport_core.network.matching import partner_matches
from rapport_core.network.matrix import build_matrix
from rapport_core.network.schemas import Gaps, Matrix

from rapport_server.ui.charts import Bar, horizontal_bars
from rapport_server.ui.rendering import SignedIn, render

SUGGESTIONS = 8

# Chart geometry (SVG user units). Charts scale to the page width through their viewBox.
SCATTER = {"width": 320, "height": 220, "left": 34, "right": 10, "top": 10, "bottom": 34}
BAR_WIDTH = 400


def scatter_chart(matrix: Matrix) -> dict:
    """Alignment (x, 0–1) against activity (y, referrals) as points and threshold lines."""
    g = SCATTER
    plot_w = g["width"] - g["left"] - g["right"]
    plot_h = g["height"] - g["top"] - g["bottom"]
    top = max([p.activity.total for p in matrix.partners] + [matrix.activity_high * 2, 1])

    def x(alignment: float) -> float:
        return round(g["left"] + alignment * plot_w, 1)

    def y(activity: float) -> float:
        return round(g["top"] + plot_h - min(activity, top) / top * plot_h, 1)

    return {
        **g,
        "x0": g["left"],
        "x1": g["left"] + plot_w,
        "y0": g["top"] + plot_h,
        "y1": g["top"],
        "top": top,
        "split_x": x(matrix.alignment_high),
        "split_y": y(matrix.activity_high),
        "points": [
            {
                "x": x(p.alignment),
                "y": y(p.activity.total),
                "quadrant": p.quadrant.value,
                "title": f"{p.name}: alignment {p.alignment:.2f}, {p.activity.total} referrals",
            }
            for p in matrix.partners
        ],
    }


def gap_chart(gaps: Gaps) -> dict:
    """Core partners per type as bars, with the target range as a band behind each."""
    return horizontal_bars(
        [
            Bar(
                label=g.label,
                value=g.core,
                text=str(g.core),
                title=f"{g.label}: {g.core} core, target {g.target_min}–{g.target_max}",
                css=f"bar-{g.status.value}",
                band=(g.target_min, g.target_max),
            )
            for g in gaps.gaps
        ],
        width=BAR_WIDTH,
    )


@get("/network")
async def network_page(
    me: NamedDependency[SignedIn],
    partner_id: Annotated[int | None, QueryParameter()] = None,
) -> Template:
    facts = await network_facts(me.actor)
    matrix = build_matrix(facts)
    gaps = build_gaps(facts)
    matches = await partner_matches(me.actor, partner_id, SUGGESTIONS, facts=facts)
    return render(
        "network/index.html",
        me,
        matrix=matrix,
        quadrants={q.quadrant.value: q for q in matrix.quadrants},
        scatter=scatter_chart(matrix),
        gaps=gaps,
        gap_bars=gap_chart(gaps),
        matches=matches,
        partner_id=partner_id,
        partner_choices=[(p.id, p.name) for p in facts.partners],
        settings=facts.settings,
    )


PAGES: list = [network_page]
