"""Chart geometry: bars are in proportion to their figures, on axes that end on round numbers."""

import pytest
from rapport_server.ui.charts import (
    Bar,
    Series,
    grouped_bars,
    horizontal_bars,
    nice_top,
    short_number,
)


@pytest.mark.parametrize(
    ("value", "top"), [(0, 1), (0.3, 0.5), (7, 10), (16, 20), (41, 50), (100, 100), (101, 200)]
)
def test_axes_end_on_round_numbers(value, top):
    assert nice_top(value) == pytest.approx(top)


def test_short_numbers_for_axis_labels():
    assert [short_number(v) for v in (0, 5, 1200, 25_000, 2_500_000)] == [
        "0",
        "5",
        "1.2k",
        "25k",
        "2.5M",
    ]


def test_grouped_bars_are_in_proportion_and_keep_zero_months():
    chart = grouped_bars(
        ["Jan", "Feb", "Mar"],
        [Series("received", "r", [4, 0, 8]), Series("sent", "s", [2, 1, 0])],
    )
    heights = [[bar["h"] for bar in group["bars"]] for group in chart["groups"]]
    assert heights[1][0] == 0 and heights[2][1] == 0  # empty months still have their slot
    assert heights[0][0] == pytest.approx(2 * heights[0][1], abs=0.2)
    plot_height = chart["y0"] - chart["ticks"][-1]["y"]  # the axis runs to 8
    assert heights[2][0] == pytest.approx(plot_height, abs=0.2)
    assert [t["label"] for t in chart["ticks"]] == ["0", "2", "4", "6", "8"]
    assert chart["groups"][0]["bars"][0]["title"] == "Jan: 4 received"


@pytest.mark.parametrize(
    ("values", "labels"),
    [
        ([1], ["0", "1"]),  # one referral: no fractional ticks
        ([3], ["0", "1", "2", "3"]),
        ([16], ["0", "5", "10", "15", "20"]),
        ([0.3], ["0", "0.1", "0.2", "0.3"]),
        ([0], ["0", "1"]),
        ([12_000], ["0", "5k", "10k", "15k"]),
    ],
)
def test_count_axes_tick_in_whole_round_steps(values, labels):
    chart = grouped_bars(["Jan"], [Series("received", "r", values)])
    assert [t["label"] for t in chart["ticks"]] == labels


def test_horizontal_bars_scale_to_the_longest_and_draw_target_bands():
    chart = horizontal_bars(
        [Bar("Wills", 10, "10"), Bar("A very long partner type name indeed", 5, "5", band=(5, 20))]
    )
    wide, narrow = chart["rows"]
    # The band reaches 20, so the axis runs to 20: 10 fills half of it, 5 a quarter.
    assert wide["w"] == pytest.approx(2 * narrow["w"], abs=0.1)
    band_end = narrow["band"]["x"] + narrow["band"]["w"] - chart["label_width"]
    assert band_end == pytest.approx(2 * wide["w"], abs=0.2)
    assert narrow["band"]["w"] == pytest.approx(3 * narrow["w"], abs=0.2)
    assert narrow["label"].endswith("…") and len(narrow["label"]) == 22
    assert horizontal_bars([])["rows"] == []
