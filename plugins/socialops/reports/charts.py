"""The weekly report's charts: matplotlib (Agg, no display) figures as inline SVG.

Pure functions of frames; SVG keeps the charts sharp in the PDF and the HTML
self-contained. Labels arrive already in the reader's language.
"""

from __future__ import annotations

import io
from collections.abc import Mapping, Sequence

import pandas as pd

#: One colour per network, the same in every chart.
COLOURS = {
    "x": "#111111",
    "youtube": "#d62828",
    "facebook": "#1f5fbf",
    "instagram": "#c13584",
    "linkedin": "#0a8a9e",
}


def _pyplot():
    import matplotlib

    matplotlib.use("Agg")
    # The same chart, the same SVG: fixed element ids, no date (a rerun that changes no
    # figure makes the same report, which then announces nothing new).
    matplotlib.rcParams["svg.hashsalt"] = "socialops"
    # Text as text (the page's fonts), not glyph paths: smaller files, several times faster.
    matplotlib.rcParams["svg.fonttype"] = "none"
    import matplotlib.pyplot as plt

    return plt


def _svg(figure) -> str:
    buffer = io.StringIO()
    # Fixed margins (set by each chart), not bbox_inches="tight": that draws the figure twice.
    figure.savefig(buffer, format="svg", metadata={"Date": None})
    _pyplot().close(figure)
    text = buffer.getvalue()
    return text[text.index("<svg") :]  # inline: no XML prolog, no doctype


def trend_chart(
    trends: pd.DataFrame,
    measure: str,
    *,
    title: str,
    names: Mapping[str, str],
    week_labels: Sequence[str],
    target: float | None = None,
    target_label: str = "",
) -> str:
    """One line per network of ``measure`` over the report's weeks (``trends``: one row per
    network and ``week``), with the objective as a dashed line when there is one."""
    plt = _pyplot()
    figure, axes = plt.subplots(figsize=(7.2, 2.6), dpi=100)
    weeks = sorted(trends["week"].unique()) if not trends.empty else []
    for network, rows in trends.groupby("network", sort=False):
        series = rows.set_index("week")[measure].reindex(weeks)
        axes.plot(
            range(len(weeks)),
            series.to_numpy(dtype="float64"),
            marker="o",
            markersize=3,
            linewidth=1.6,
            color=COLOURS.get(network, "#555555"),
            label=names.get(network, network),
        )
    if target is not None:
        axes.axhline(target, linestyle="--", linewidth=1, color="#2a9d8f", label=target_label)
    axes.set_title(title, fontsize=10, loc="left")
    axes.set_xticks(range(len(weeks)), list(week_labels)[-len(weeks) :] if weeks else [])
    axes.tick_params(labelsize=7)
    axes.grid(axis="y", alpha=0.3)
    for side in ("top", "right"):
        axes.spines[side].set_visible(False)
    if len(axes.get_legend_handles_labels()[0]):
        axes.legend(fontsize=7, frameon=False, ncols=3, loc="upper left")
    figure.subplots_adjust(left=0.09, right=0.99, top=0.88, bottom=0.12)
    return _svg(figure)


def heatmap_chart(grid: pd.DataFrame, *, title: str, day_names: Sequence[str], no_data: str) -> str:
    """A weekday × hour heatmap of best-time scores (1 = the account's usual post)."""
    plt = _pyplot()
    figure, axes = plt.subplots(figsize=(7.2, 2.2), dpi=100)
    values = grid.to_numpy(dtype="float64")
    image = axes.imshow(values, cmap="RdYlGn", vmin=0.5, vmax=1.5, aspect="auto")
    axes.set_yticks(range(7), list(day_names))
    axes.set_xticks(range(0, 24, 2), [f"{h:02d}" for h in range(0, 24, 2)])
    axes.tick_params(labelsize=7)
    axes.set_title(title, fontsize=10, loc="left")
    if pd.isna(values).all():
        axes.text(11.5, 3, no_data, ha="center", va="center", fontsize=9, color="#555555")
    figure.subplots_adjust(left=0.07, right=0.93, top=0.86, bottom=0.12)
    bar = figure.add_axes((0.945, 0.12, 0.012, 0.74))
    colorbar = figure.colorbar(image, cax=bar, ticks=[0.5, 1.0, 1.5])
    colorbar.ax.tick_params(labelsize=6)
    return _svg(figure)


#: The brand's colour in the competitor charts; competitors take the next ones, in order.
BRAND_COLOUR = "#2a9d8f"
RIVAL_COLOURS = ("#e76f51", "#264653", "#e9c46a", "#8d99ae", "#6d597a", "#bc6c25")
#: Positive, neutral, negative.
TONE_COLOURS = ("#2a9d8f", "#c9c9d1", "#d62828")


def owner_colours(owners: Sequence[str], brand: str) -> dict[str, str]:
    rivals = [o for o in owners if o != brand]
    colours = {o: RIVAL_COLOURS[i % len(RIVAL_COLOURS)] for i, o in enumerate(rivals)}
    return {brand: BRAND_COLOUR, **colours}


def benchmark_chart(
    benchmark: pd.DataFrame,
    measure: str,
    *,
    title: str,
    brand: str,
    names: Mapping[str, str],
) -> str:
    """Bars of ``measure`` per network, one per owner (the brand first): the owner's
    accounts of a network are summed for counts, and ``benchmark`` holds one row per owner,
    network and account (``weekly_benchmark``'s rows of one week)."""
    plt = _pyplot()
    figure, axes = plt.subplots(figsize=(7.2, 2.6), dpi=100)
    networks = list(dict.fromkeys(benchmark["network"]))
    owners = list(dict.fromkeys([brand, *benchmark["owner"]]))
    owners = [o for o in owners if (benchmark["owner"] == o).any()]
    colours = owner_colours(owners, brand)
    width = 0.8 / max(len(owners), 1)
    for index, owner in enumerate(owners):
        rows = benchmark[benchmark["owner"] == owner]
        # one bar per owner and network: the table lists each account of an owner with two
        # accounts on a network, the chart shows the best of them
        values = rows.groupby("network")[measure].max().reindex(networks)
        axes.bar(
            [n + (index - (len(owners) - 1) / 2) * width for n in range(len(networks))],
            values.to_numpy(dtype="float64"),
            width=width * 0.95,
            color=colours[owner],
            label=owner,
        )
    axes.set_title(title, fontsize=10, loc="left")
    axes.set_xticks(range(len(networks)), [names.get(n, n) for n in networks])
    axes.tick_params(labelsize=7)
    axes.grid(axis="y", alpha=0.3)
    for side in ("top", "right"):
        axes.spines[side].set_visible(False)
    axes.legend(fontsize=7, frameon=False, ncols=4, loc="upper left")
    figure.subplots_adjust(left=0.09, right=0.99, top=0.88, bottom=0.12)
    return _svg(figure)


def voice_chart(voice: pd.DataFrame, *, title: str, tones: Sequence[str]) -> str:
    """Share of voice: one horizontal bar per owner (``share_of_voice``'s rows, in order),
    its mentions split positive / neutral / negative, labelled with ``tones``."""
    plt = _pyplot()
    height = 0.9 + 0.32 * len(voice)
    figure, axes = plt.subplots(figsize=(7.2, height), dpi=100)
    owners = list(voice["owner"])[::-1]  # the first row on top
    left = [0.0] * len(owners)
    for column, label, colour in zip(
        ("positive", "neutral", "negative"), tones, TONE_COLOURS, strict=True
    ):
        values = [float(v) for v in voice[column].to_numpy()[::-1]]
        axes.barh(owners, values, left=left, color=colour, label=label, height=0.6)
        left = [a + b for a, b in zip(left, values, strict=True)]
    axes.set_title(title, fontsize=10, loc="left")
    axes.tick_params(labelsize=7)
    axes.grid(axis="x", alpha=0.3)
    for side in ("top", "right"):
        axes.spines[side].set_visible(False)
    axes.xaxis.get_major_locator().set_params(integer=True)  # mentions are counted
    # beside the title, over the bars' band: never on a bar
    axes.legend(fontsize=7, frameon=False, ncols=3, loc="lower right", bbox_to_anchor=(1, 1))
    figure.subplots_adjust(left=0.2, right=0.97, top=1 - 0.3 / height, bottom=0.45 / height)
    return _svg(figure)
