"""The figures and tables of ``aigo nlu test``: confusion matrix, reliability diagram, entities."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from nlu.crossval import Evaluation
from nlu.evaluate import Report

__all__ = ["entity_table", "plot_confusions", "plot_reliability"]


def _pyplot() -> Any:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt


def entity_table(scores: dict[str, dict[str, float]]) -> str:
    """Per-entity precision / recall / F1 / support as plain text."""
    width = max([len(name) for name in scores] + [len("entity")])
    lines = [f"{'entity':<{width}}  precision  recall     f1  support"]
    for name, row in scores.items():
        lines.append(
            f"{name:<{width}}  {row['precision']:9.3f}  {row['recall']:6.3f}  "
            f"{row['f1']:5.3f}  {int(row['support']):7d}"
        )
    return "\n".join(lines)


def plot_confusions(report: Report, path: Path) -> None:
    """The confusion matrix (rows gold, columns predicted) as a PNG."""
    plt = _pyplot()
    columns = report.column_labels
    size = max(8, len(columns) * 0.45)
    fig, ax = plt.subplots(figsize=(size, size * 0.85))
    ax.imshow(report.matrix, cmap="Blues")
    ax.set_xticks(range(len(columns)), columns, rotation=90, fontsize=7)
    ax.set_yticks(range(len(report.labels)), report.labels, fontsize=7)
    ax.set_xlabel("predicted")
    ax.set_ylabel("gold")
    for i, row in enumerate(report.matrix):
        for j, count in enumerate(row):
            if count:
                ax.text(j, i, str(count), ha="center", va="center", fontsize=6)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


def plot_reliability(results: dict[str, Evaluation], path: Path) -> None:
    """Accuracy against mean confidence per bin, one line per measurement, with the diagonal."""
    plt = _pyplot()
    fig, ax = plt.subplots(figsize=(6, 6))
    ax.plot([0, 1], [0, 1], color="grey", linestyle="--", label="perfectly calibrated")
    for name, ev in results.items():
        rel = ev.reliability
        points = [
            (c, a) for c, a, n in zip(rel.confidence, rel.accuracy, rel.counts, strict=True) if n
        ]
        xs, ys = [c for c, _ in points], [a for _, a in points]
        ax.plot(xs, ys, marker="o", label=f"{name} (ECE {rel.ece:.3f})")
    ax.set_xlabel("confidence of the top intent (bin mean)")
    ax.set_ylabel("accuracy")
    ax.set_xlim(0, 1)
    ax.set_ylim(0, 1)
    ax.legend(fontsize=7, loc="upper left")
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)
