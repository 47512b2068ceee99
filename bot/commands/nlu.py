"""``aigo train`` and ``aigo nlu test``: build the NLU model, and evaluate intents.

``aigo train [--data DIR] [--out FILE]`` trains from the Rasa YAML data and writes the model file
(default: the configured ``nlu_model_path``). ``aigo nlu test [--data FILE] [--cross-validation
--folds 5] [--out DIR]`` prints a per-intent precision / recall / F1 table with macro averages and
the most confused pairs, and writes ``intent_report.json`` and ``intent_confusion_matrix.png`` to
``--out`` (default ``<AIGO_DATA_DIR>/nlu-report``). Without ``--cross-validation`` it tests the
configured model (trained from ``nlu/data`` if needed) on ``--data`` (default
``tests/data/nlu_holdout.yml``), with the fallback threshold applied.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path
from typing import Any

from bot.config import Settings
from nlu import DATA_DIR, load_or_train, train
from nlu.classifier import train_classifier
from nlu.evaluate import Report, cross_validate, score
from nlu.features import load_lexicon
from nlu.normalize import to_traditional
from nlu.training_data import TrainingDataError, load_training_data

DEFAULT_TEST_DATA = Path("tests/data/nlu_holdout.yml")


def register(subparsers: Any) -> None:
    """Add ``train`` and ``nlu test`` to the ``aigo`` parser."""
    p_train = subparsers.add_parser("train", help="train the NLU model from nlu/data")
    p_train.add_argument("--data", type=Path, default=DATA_DIR, help="training data dir or file")
    p_train.add_argument("--out", type=Path, default=None, help="model file (default: settings)")
    p_train.set_defaults(handler=run_train)
    p_nlu = subparsers.add_parser("nlu", help="NLU tools")
    nlu_sub = p_nlu.add_subparsers(dest="nlu_command", metavar="COMMAND")
    p_test = nlu_sub.add_parser("test", help="evaluate intent classification")
    p_test.add_argument("--data", type=Path, default=None, help="test data (YAML file or dir)")
    p_test.add_argument("--cross-validation", action="store_true", help="k-fold CV on --data")
    p_test.add_argument("--folds", type=int, default=5, help="number of folds")
    p_test.add_argument(
        "--out",
        type=Path,
        default=None,
        help="report directory (default: $AIGO_DATA_DIR/nlu-report)",
    )
    p_test.set_defaults(handler=run_test)
    p_export = nlu_sub.add_parser(
        "export-reviewed", help="write the console's labelled messages as Rasa YAML"
    )
    p_export.add_argument("--out", type=Path, default=DATA_DIR, help="training data directory")
    p_export.set_defaults(handler=run_export_reviewed)


def run_train(args: argparse.Namespace, settings: Settings) -> int:
    """Train and save the model; print where it went and how long it took."""
    out: Path = args.out or settings.nlu_model_path
    started = time.perf_counter()
    try:
        model = train(args.data, threshold=settings.nlu_threshold)
    except TrainingDataError as exc:
        print(f"aigo train: {exc}", file=sys.stderr)
        return 1
    model.save(out)
    elapsed = time.perf_counter() - started
    print(f"trained {len(model.intents)} intents in {elapsed:.1f}s → {out}")
    return 0


def cross_validation(data_path: Path, folds: int) -> Report:
    """Stratified ``folds``-fold cross-validation of the intent classifier on ``data_path``."""
    data = load_training_data(data_path)
    lexicon = load_lexicon()
    texts = [to_traditional(e.text) for e in data.examples]

    def train_and_predict(xs: list[str], ys: list[str], tests: list[str]) -> list[str]:
        clf = train_classifier(xs, ys, lexicon, calibrate=False)
        out = []
        for text in tests:
            probs = clf.probabilities(text)
            out.append(clf.intents[int(probs.argmax())] if probs is not None else "nlu_fallback")
        return out

    return cross_validate(texts, [e.intent for e in data.examples], train_and_predict, folds)


def _holdout(data_path: Path, settings: Settings) -> Report:
    model = load_or_train(settings.nlu_model_path, threshold=settings.nlu_threshold)
    examples = load_training_data(data_path).examples
    predicted = [model.parse(e.text, settings.now)["intent"]["name"] for e in examples]
    return score([e.intent for e in examples], predicted)


def _plot(report: Report, path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

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


def run_test(args: argparse.Namespace, settings: Settings) -> int:
    """Evaluate, print the table and confusions, write the JSON report and the PNG."""
    if getattr(args, "nlu_command", None) != "test":
        print("usage: aigo nlu test [--data FILE] [--cross-validation --folds 5] [--out DIR]")
        return 2
    data_path: Path = args.data or (DATA_DIR if args.cross_validation else DEFAULT_TEST_DATA)
    try:
        if args.cross_validation:
            report = cross_validation(data_path, max(2, args.folds))
        else:
            report = _holdout(data_path, settings)
    except TrainingDataError as exc:
        print(f"aigo nlu test: {exc}", file=sys.stderr)
        return 1
    print(report.table())
    print("\nmost confused (gold → predicted):")
    for gold, predicted, count in report.confusions[:10]:
        print(f"  {count:3d}  {gold} → {predicted}")
    args.out = args.out or settings.data_dir / "nlu-report"
    args.out.mkdir(parents=True, exist_ok=True)
    doc = {"data": str(data_path), "cross_validation": bool(args.cross_validation)}
    doc.update(report.to_dict())
    (args.out / "intent_report.json").write_text(
        json.dumps(doc, ensure_ascii=False, indent=2), encoding="utf-8"
    )
    _plot(report, args.out / "intent_confusion_matrix.png")
    print(
        f"\nreport: {args.out / 'intent_report.json'}, {args.out / 'intent_confusion_matrix.png'}"
    )
    return 0


def run_export_reviewed(args: argparse.Namespace, settings: Settings) -> int:
    """Write ``reviewed.yml`` (labelled messages; ``ignore`` left out) into ``--out``."""
    from bot.teach import export
    from db import make_engine, make_session_factory, upgrade
    from db.reviews import reviewed

    upgrade(settings.database_url)
    engine = make_engine(settings.database_url)
    try:
        with make_session_factory(engine)() as session:
            rows = [(r.text, r.label, r.entities) for r in reviewed(session=session)]
    finally:
        engine.dispose()
    path = export.write(rows, args.out)
    kept = sum(1 for _, label, _ in rows if label != "ignore")
    print(f"{kept} labelled example(s) ({len(rows) - kept} ignored) → {path}; run `aigo train`")
    return 0
