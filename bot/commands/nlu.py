"""``aigo train`` and ``aigo nlu test``: build the NLU model, and measure it.

``aigo train [--data DIR] [--out FILE]`` trains from the Rasa YAML data and writes the model file
(default: the configured ``nlu_model_path``). ``aigo nlu test [--data FILE] [--cross-validation
[--train-data DIR] --folds 5] [--out DIR]`` tests the configured model (trained from ``nlu/data``
if needed, fallback threshold applied) on the held-out ``--data`` (default
``tests/data/nlu_blind_wave5.yml``, written blind and never trained on; a summary line measures
it again without the lines that are also training lines word for word, and without ``--data``
the older blind set ``tests/data/nlu_blind_wave4.yml`` follows as one summary line) and, with
``--cross-validation``, also runs k-fold cross-validation on the training data. For each it
prints per-intent precision / recall / F1 with macro averages, the most confused pairs, per-entity
precision / recall / F1 and the expected calibration error; it writes ``intent_report.json``
(everything, under ``measurements``), ``intent_confusion_matrix.png`` (the first measurement) and
``reliability_diagram.png`` to ``--out`` (default ``<AIGO_DATA_DIR>/nlu-report``).
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path
from typing import Any

from bot.clock import clock_for
from bot.commands.nlu_report import entity_table, plot_confusions, plot_reliability
from bot.config import Settings
from nlu import DATA_DIR, crossval, load_or_train, train
from nlu.crossval import Evaluation, held_out
from nlu.evaluate import Report
from nlu.training_data import TrainingDataError, load_training_data, same_text_key

DEFAULT_TEST_DATA = Path("tests/data/nlu_blind_wave5.yml")
# An older blind set, since tuned against: reported on one line next to the default.
SECOND_TEST_DATA = Path("tests/data/nlu_blind_wave4.yml")


def register(subparsers: Any) -> None:
    """Add ``train`` and ``nlu test`` to the ``aigo`` parser."""
    p_train = subparsers.add_parser("train", help="train the NLU model from nlu/data")
    p_train.add_argument("--data", type=Path, default=DATA_DIR, help="training data dir or file")
    p_train.add_argument("--out", type=Path, default=None, help="model file (default: settings)")
    p_train.set_defaults(handler=run_train)
    p_nlu = subparsers.add_parser("nlu", help="NLU tools")
    nlu_sub = p_nlu.add_subparsers(dest="nlu_command", metavar="COMMAND")
    p_test = nlu_sub.add_parser("test", help="evaluate intents, entities and confidence")
    p_test.add_argument("--data", type=Path, default=None, help="held-out test data (YAML)")
    p_test.add_argument("--cross-validation", action="store_true", help="also k-fold CV")
    p_test.add_argument("--train-data", type=Path, default=DATA_DIR, help="data for CV")
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
    """Stratified ``folds``-fold cross-validation of intents on ``data_path`` (the console's
    retraining compares before and after with it)."""
    data = load_training_data(data_path)
    return crossval.cross_validation(data, clock_for(None).now(), folds).intents


def _measure(
    args: argparse.Namespace, settings: Settings
) -> tuple[dict[str, Evaluation], dict[str, Evaluation]]:
    """The held-out evaluation, then cross-validation if asked; second, the summary-only
    measurements (the older blind set). Raises TrainingDataError."""
    out: dict[str, Evaluation] = {}
    summary: dict[str, Evaluation] = {}
    now = clock_for(settings.now).now()
    data_path: Path = args.data or DEFAULT_TEST_DATA
    if args.data is not None or not args.cross_validation or data_path.exists():
        model = load_or_train(settings.nlu_model_path, threshold=settings.nlu_threshold)
        examples = load_training_data(data_path).examples
        out[f"held-out {data_path}"] = held_out(model, examples, now)
        # Lines a blind writer happened to write word for word as a training line (short
        # greetings, yes/no) are measured again without them: the harder, honest number.
        trained = {same_text_key(e.text) for e in load_training_data(args.train_data).examples}
        unseen = [e for e in examples if same_text_key(e.text) not in trained]
        if 0 < len(unseen) < len(examples):
            name = f"held-out {data_path}, only its {len(unseen)} lines not in the training data"
            summary[name] = held_out(model, unseen, now)
        if args.data is None and SECOND_TEST_DATA.exists():
            second = load_training_data(SECOND_TEST_DATA).examples
            summary[f"held-out {SECOND_TEST_DATA}"] = held_out(model, second, now)
    if args.cross_validation:
        data = load_training_data(args.train_data)
        key = f"{max(2, args.folds)}-fold cross-validation on {args.train_data}"
        out[key] = crossval.cross_validation(data, now, max(2, args.folds))
    return out, summary


def _print(name: str, ev: Evaluation) -> None:
    print(f"== {name}")
    print(ev.intents.table())
    if ev.unknown_intents and ev.known is not None:
        print(f"not trained: {', '.join(ev.unknown_intents)}")
        print(f"on the examples of trained intents only: macro F1 {ev.known.macro_f1:.3f}")
    print("\nmost confused (gold → predicted):")
    for gold, predicted, count in ev.intents.confusions[:10]:
        print(f"  {count:3d}  {gold} → {predicted}")
    print(entity_table(ev.entities))
    print(f"confidence: expected calibration error {ev.reliability.ece:.3f}\n")


def _print_summary(name: str, ev: Evaluation) -> None:
    known = (
        f" (trained intents only {ev.known.macro_f1:.3f})"
        if ev.unknown_intents and ev.known
        else ""
    )
    print(
        f"== {name}: macro F1 {ev.intents.macro_f1:.3f}{known}, "
        f"accuracy {ev.intents.accuracy:.3f}, calibration error {ev.reliability.ece:.3f}\n"
    )


def run_test(args: argparse.Namespace, settings: Settings) -> int:
    """Evaluate, print the tables, write the JSON report and the PNGs."""
    if getattr(args, "nlu_command", None) != "test":
        print("usage: aigo nlu test [--data FILE] [--cross-validation --folds 5] [--out DIR]")
        return 2
    try:
        results, summary = _measure(args, settings)
    except TrainingDataError as exc:
        print(f"aigo nlu test: {exc}", file=sys.stderr)
        return 1
    args.out = args.out or settings.data_dir / "nlu-report"
    args.out.mkdir(parents=True, exist_ok=True)
    for name, ev in results.items():
        _print(name, ev)
    for name, ev in summary.items():
        _print_summary(name, ev)
    first = next(iter(results.values()))
    doc = {"data": next(iter(results)), **first.to_dict()}
    doc["measurements"] = {name: ev.to_dict() for name, ev in {**results, **summary}.items()}
    (args.out / "intent_report.json").write_text(
        json.dumps(doc, ensure_ascii=False, indent=2), encoding="utf-8"
    )
    plot_confusions(first.intents, args.out / "intent_confusion_matrix.png")
    plot_reliability(results, args.out / "reliability_diagram.png")
    names = "intent_report.json, intent_confusion_matrix.png, reliability_diagram.png"
    print(f"report in {args.out}: {names}")
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
