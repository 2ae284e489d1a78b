"""One evaluation run as a Markdown page with PNG charts, for docs and pull requests.

:func:`write_report` turns an :class:`~vestis.recommend.evaluate.EvaluationResult` into
``report.md`` (the split, a score table, how to rerun it) plus three charts:
``metrics.png`` (headline metrics per model), ``metrics_vs_k.png`` (each metric against
the cut-off) and ``popularity.png`` (how strongly each model leans on bestsellers).
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import matplotlib
import numpy as np

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402 - the backend must be chosen before pyplot loads
from matplotlib.figure import Figure  # noqa: E402

from vestis.recommend.evaluate import EvaluationResult  # noqa: E402

BAR_METRICS = ("ndcg", "recall", "map", "precision", "coverage")
CURVE_METRICS = ("ndcg", "recall", "map", "coverage")
TABLE_COLUMNS = (
    ("ndcg", "NDCG"),
    ("recall", "Recall (HR)"),
    ("map", "MAP"),
    ("precision", "Precision"),
    ("coverage", "Coverage"),
    ("popularity_bias", "Popularity pct."),
)
PROTOCOL_TEXT = {
    "leave-last-out": (
        "each user's last item (by timestamp, then item id) is held out; the model ranks every "
        "item known in training except the user's own training items"
    ),
    "temporal": (
        "models train on events before a cut and are scored on the items each user bought "
        "(or otherwise engaged with) in the window after it, ranking every training item "
        "except the user's own training items"
    ),
}
SPLIT_LABELS = {
    "train_interactions": "Training events",
    "train_users": "Training users",
    "train_items": "Training items",
    "catalog_items": "Catalog items (coverage denominator)",
    "test_users": "Test users",
    "test_interactions": "Held-out (user, item) pairs",
    "dropped_unseen_items": "Dropped: item unseen in training",
    "dropped_cold_users": "Dropped: user unseen in training",
    "dropped_repeat_items": "Dropped: item already in the user's training",
}

__all__ = ["reproduce_command", "write_report"]


def write_report(result: EvaluationResult, directory: Path, *, command: str | None = None) -> Path:
    """Write ``report.md`` and its PNG charts into ``directory`` (created); returns the ``report.md`` path.

    ``command`` is the shell line that reproduces the run; by default the matching
    ``vestis evaluate`` call (see :func:`reproduce_command`).
    """
    if not result.models:
        raise ValueError("result: an evaluation without models has nothing to report")
    directory.mkdir(parents=True, exist_ok=True)
    charts = {
        "metrics.png": _bar_chart(result),
        "metrics_vs_k.png": _curves(result),
        "popularity.png": _popularity_chart(result),
    }
    for filename, figure in charts.items():
        figure.savefig(directory / filename, dpi=120, bbox_inches="tight")
        plt.close(figure)
    path = directory / "report.md"
    path.write_text(_markdown(result, command or reproduce_command(result), list(charts)))
    return path


def reproduce_command(
    result: EvaluationResult, *, json_path: str = "scores.json", report_dir: str = "report"
) -> str:
    """The ``vestis evaluate`` command line that reruns ``result``'s evaluation."""
    return (
        f"vestis evaluate --data {result.source or result.dataset} --models {','.join(result.models)} "
        f"--protocol {result.protocol} --k {result.k} --json {json_path} --report {report_dir}"
    )


# --------------------------------------------------------------------------- helpers
def _markdown(result: EvaluationResult, command: str, charts: Sequence[str]) -> str:
    k = result.k
    lines = [
        f"# Recommender evaluation: {result.dataset}",
        "",
        f"Protocol **{result.protocol}**: {PROTOCOL_TEXT.get(result.protocol, result.protocol)}. "
        f"Headline cut-off k = {k}; curves at k = {', '.join(map(str, result.ks))}. "
        "Metric formulas: `vestis.recommend.metrics`. Popularity pct. is the mean popularity "
        "percentile of recommended items (1 = the bestseller, 0.5 = a typical item).",
        "",
    ]
    if result.split:
        lines += ["## Split", "", "| | |", "|---|---:|"]
        lines += [f"| {SPLIT_LABELS.get(key, key)} | {value:,} |" for key, value in result.split.items()]
        lines.append("")
    header = [f"{label}@{k}" for _, label in TABLE_COLUMNS] + ["Fit (s)", "Users/s"]
    lines += [
        f"## Scores at k = {k}",
        "",
        "| Model | " + " | ".join(header) + " |",
        "|---|" + "---:|" * len(header),
    ]
    for name, scores in result.models.items():
        cells = [_number(scores.get(f"{metric}@{k}")) for metric, _ in TABLE_COLUMNS]
        cells += [
            f"{scores.get('fit_seconds', float('nan')):.2f}",
            f"{scores.get('users_per_second', 0):,.0f}",
        ]
        lines.append(f"| {name} | " + " | ".join(cells) + " |")
    lines += ["", "## Charts", ""]
    lines += [f"![{chart.removesuffix('.png')}]({chart})" for chart in charts]
    lines += ["", "## Reproduce", "", "```bash", command, "```", ""]
    return "\n".join(lines)


def _number(value: float | None) -> str:
    return "–" if value is None else f"{value:.4f}"


def _colours(result: EvaluationResult) -> dict[str, tuple[float, ...]]:
    palette = plt.get_cmap("tab10")
    return {name: palette(i % 10) for i, name in enumerate(result.models)}


def _bar_chart(result: EvaluationResult) -> Figure:
    """Grouped bars: one group per headline metric, one bar per model, values printed on top."""
    names = list(result.models)
    colours = _colours(result)
    metrics = [m for m in BAR_METRICS if all(f"{m}@{result.k}" in s for s in result.models.values())]
    figure, axes = plt.subplots(figsize=(max(7.0, 2.0 + 0.35 * len(metrics) * len(names)), 4.5))
    width = 0.8 / len(names)
    for i, name in enumerate(names):
        values = [result.models[name][f"{m}@{result.k}"] for m in metrics]
        positions = [j + (i - (len(names) - 1) / 2) * width for j in range(len(metrics))]
        bars = axes.bar(positions, values, width, label=name, color=colours[name])
        axes.bar_label(bars, fmt="%.3f", fontsize=7, padding=2, rotation=90 if len(names) > 3 else 0)
    axes.set_xticks(range(len(metrics)), [f"{m}@{result.k}" for m in metrics])
    axes.set_ylabel("score (higher is better)")
    axes.set_ylim(0, max(0.05, _top_value(result, metrics) * 1.3))
    axes.set_title(f"{result.dataset} · {result.protocol} · k = {result.k}")
    axes.legend(fontsize=8, ncol=min(len(names), 4), loc="upper left")
    return figure


def _curves(result: EvaluationResult) -> Figure:
    """One panel per metric, one line per model, the cut-off k on the x axis."""
    colours = _colours(result)
    figure, panels = plt.subplots(2, 2, figsize=(10, 7), sharex=True)
    for axes, metric in zip(panels.ravel(), CURVE_METRICS, strict=True):
        for name in result.models:
            axes.plot(result.ks, result.curve(name, metric), marker="o", label=name, color=colours[name])
        axes.set_title(f"{metric}@k")
        axes.set_xticks(result.ks)
        axes.grid(alpha=0.3)
    for axes in panels[-1]:
        axes.set_xlabel("k (list length)")
    figure.suptitle(f"{result.dataset} · {result.protocol}: metrics against the list length")
    figure.tight_layout()
    handles, labels = panels[0][0].get_legend_handles_labels()
    figure.legend(handles, labels, fontsize=9, loc="center left", bbox_to_anchor=(1.0, 0.5))
    return figure


def _popularity_chart(result: EvaluationResult) -> Figure:
    """Left: mean popularity percentile per model; right: that percentile against NDCG."""
    k, names, colours = result.k, list(result.models), _colours(result)
    bias = [result.models[n].get(f"popularity_bias@{k}", float("nan")) for n in names]
    ndcg = [result.models[n][f"ndcg@{k}"] for n in names]
    figure, (left, right) = plt.subplots(1, 2, figsize=(11, 4.5))
    bars = left.barh(names, bias, color=[colours[n] for n in names])
    left.bar_label(bars, fmt="%.2f", fontsize=8, padding=2)
    left.axvline(0.5, color="grey", linestyle="--", linewidth=1)
    left.set_xlim(0, 1.1)
    left.invert_yaxis()
    left.set_xlabel(
        f"mean popularity percentile of the top {k}\n(1 = bestseller; dashed line: a typical item)"
    )
    left.set_title("How much each model leans on bestsellers")
    for name, x, y in zip(names, bias, ndcg, strict=True):
        right.scatter(x, y, s=60, color=colours[name], label=name, edgecolor="black", linewidth=0.5)
    lowest = float(np.nanmin(bias)) if not np.all(np.isnan(bias)) else 0.0
    right.set_xlim(max(0.0, lowest - 0.05), 1.01)
    right.set_ylim(0, max(0.01, max(ndcg) * 1.25))
    right.set_xlabel("mean popularity percentile")
    right.set_ylabel(f"ndcg@{k}")
    right.set_title("Accuracy against popularity bias")
    right.grid(alpha=0.3)
    right.legend(fontsize=8, loc="best")
    figure.tight_layout()
    return figure


def _top_value(result: EvaluationResult, metrics: Sequence[str]) -> float:
    return max((s[f"{m}@{result.k}"] for s in result.models.values() for m in metrics), default=0.0)
