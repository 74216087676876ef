"""Command line: ``python -m core info``, ``report``, ``multiclass``, ``tradeoff`` and ``predict``.

``tradeoff`` reads a digit detector (``--digit``) or any classifier's score file
(``--scores FILE``, read in this process with the limits of
:func:`core.score_files.limits_from_env`).

Every failure is one line on stderr and exit status 2, never a traceback: an expected one (a
bad argument, a file that cannot be read, a model file that is not ours or is damaged) says
what is wrong; an unexpected one (a bug) says so and points to ``--debug``, which prints the
traceback instead. ``predict`` goes on past an image it cannot read (one line on stderr for it)
and then exits with status 1.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import logging
import math
import os
import sys
import traceback
import warnings

EXIT_ERROR = 2
EXIT_SOME_IMAGES_FAILED = 1  # predict: the model was read, but not every image
# The start of scikit-learn's ConvergenceWarning of an SGD fit stopped at max_iter.
CONVERGENCE_WARNING = "Maximum number of iteration reached"


class _Parser(argparse.ArgumentParser):
    """argparse that reports usage errors with our exit status, in one line."""

    def error(self, message: str) -> None:  # noqa: D102 - argparse's hook
        self.exit(EXIT_ERROR, f"{self.prog}: error: {message}\n")


def _build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="python -m core", description="Threshold Explorer's command line.")
    debug_help = "on an unexpected failure, print its traceback rather than one line"
    parser.add_argument("--debug", action="store_true", help=debug_help)
    commands = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)
    # Also accepted after the command; SUPPRESS keeps a subcommand from resetting it to False.
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--debug", action="store_true", default=argparse.SUPPRESS, help=debug_help)

    info = commands.add_parser(
        "info", parents=[common], help="where the dataset comes from, its sizes and classes"
    )
    info.add_argument("--json", action="store_true", help="print the summary as JSON")

    report = commands.add_parser(
        "report",
        parents=[common],
        help="every number of the notebook's cells [6] to [14] for one digit",
    )
    report.add_argument("--digit", type=int, default=5, help="the digit to detect (0-9)")
    report.add_argument("--json", action="store_true", help="print the numbers as JSON")
    report.add_argument(
        "--no-cache", action="store_true", help="recompute instead of reading the disk cache"
    )

    multiclass = commands.add_parser(
        "multiclass",
        parents=[common],
        help="every figure of the chapter's multiclass SGD (all ten digits), beside the book's",
        description=(
            "The chapter's multiclass cells: cross_val_score of SGDClassifier(random_state=42) "
            "on the raw and on the standardised pixels (cv=3) beside the commonest-digit "
            "baseline and the book's printed figures, the error analysis (the confusion matrix "
            "of the scaled model's cross_val_predict, rows are true digits) with each digit's "
            "precision, recall and F1, and some_digit's prediction and ten decision scores. "
            "Trained once and cached (about a quarter of an hour on full MNIST with two cores)."
        ),
    )
    multiclass.add_argument("--json", action="store_true", help="print the figures as JSON")
    multiclass.add_argument(
        "--no-cache", action="store_true", help="recompute instead of reading the disk cache"
    )

    tradeoff = commands.add_parser(
        "tradeoff",
        parents=[common],
        help="everything the trade-off explorer shows at one threshold",
        description=(
            "The counts and rates at one threshold (flagged means score >= threshold) of a "
            "digit detector's cross-validated scores, or of any classifier's scores read from "
            "a CSV or Parquet file (--scores), with 95% Wilson intervals, each fold alone, the "
            "held-out test set, optionally another prevalence and the expected cost of the "
            "errors, and with --group each group's figures. A score file needs a header row, "
            "one column of true labels (two values) and one of scores (higher means more likely "
            "positive); every column is guessed from its name when not given ('' leaves an "
            "optional one out), and the positive class must be named unless the labels are "
            "0/1 or False/True."
        ),
    )
    source = tradeoff.add_mutually_exclusive_group()
    source.add_argument("--digit", type=int, help="the digit to detect (0-9; default 5)")
    source.add_argument(
        "--scores", metavar="FILE", help="a CSV or Parquet file of labels and scores"
    )
    for option, what in (
        ("--label", "the column of true labels (default: guessed from its name)"),
        ("--score", "the column of scores (default: guessed from its name)"),
        ("--positive", "the label value of the positive class"),
        ("--fold", "the column of each row's cross-validation fold (default: guessed; '' none)"),
        (
            "--split",
            "the column whose 'test' or 'holdout' rows are the held-out test set (default: "
            "guessed; '' none)",
        ),
        (
            "--group",
            "the column of each row's subgroup: adds each group's figures (default: "
            "guessed; '' none)",
        ),
        ("--id", "the column of each row's id (default: guessed; '' none)"),
    ):
        tradeoff.add_argument(option, metavar="C" if option != "--positive" else "V", help=what)
    tradeoff.add_argument("--threshold", type=float, required=True, help="the decision threshold")
    tradeoff.add_argument(
        "--prevalence", type=float, help="share of positives where the classifier will be used"
    )
    tradeoff.add_argument("--fp-cost", type=float, help="cost of a false positive")
    tradeoff.add_argument("--fn-cost", type=float, help="cost of a false negative")
    tradeoff.add_argument("--json", action="store_true", help="print the figures as JSON")

    predict = commands.add_parser(
        "predict",
        parents=[common],
        help="score pictures of digits with a model file exported from the trade-off page",
        description=(
            "Score each PNG or JPEG picture of one digit with an exported detector. Exit "
            f"status 0 when every image was scored, {EXIT_SOME_IMAGES_FAILED} when some could "
            f"not be read (the others are still printed), {EXIT_ERROR} when the model file "
            "is not one this tool exported."
        ),
    )
    predict.add_argument(
        "--model", required=True, metavar="FILE", help="a model file (.zip) exported by this tool"
    )
    predict.add_argument("images", nargs="+", metavar="IMAGE", help="pictures of one digit each")
    predict.add_argument("--json", action="store_true", help="print the results as JSON")
    return parser


def _line(message) -> str:
    """``message`` as one line: a library's multi-line text must not break "one line"."""
    return " ".join(str(message).split())


@contextlib.contextmanager
def _said_if_not_kept(format_notice=None):
    """Around a training: one line on stderr when the cache cannot keep its result.

    Checked before (a probe write) and, if all seemed well, after (a write that failed although
    the probe passed: a nearly full disk). The cache's own warning at each refused write would
    repeat that line, so those are left out meanwhile.
    """
    from core import cache
    from core.cli_text import format_cache_notice

    format_notice = format_notice or format_cache_notice

    def not_a_refused_write(record: logging.LogRecord) -> bool:
        return not getattr(record, cache.UNWRITABLE_RECORD, False)

    def say_if_unwritable() -> bool:
        status = cache.cache_status()
        if not status.writable:
            print(format_notice(status), file=sys.stderr)
        return not status.writable

    cache_log = logging.getLogger(cache.__name__)
    cache_log.addFilter(not_a_refused_write)
    try:
        said = say_if_unwritable()
        yield
        if not said:
            say_if_unwritable()
    finally:
        cache_log.removeFilter(not_a_refused_write)


def _info(args: argparse.Namespace) -> int:
    from core.cli_text import format_summary
    from core.data import dataset_summary, load_dataset

    summary = dataset_summary(load_dataset())
    print(json.dumps(summary, indent=2) if args.json else format_summary(summary))
    return 0


def _report(args: argparse.Namespace) -> int:
    from core.cli_text import format_report
    from core.data import load_dataset
    from core.report import notebook_report

    if not 0 <= args.digit <= 9:
        raise ValueError(f"--digit must be 0-9, got {args.digit}")
    with _said_if_not_kept():
        report = notebook_report(load_dataset(), digit=args.digit, use_cache=not args.no_cache)
    print(json.dumps(report, indent=2) if args.json else format_report(report))
    return 0


def _multiclass(args: argparse.Namespace) -> int:
    from core.cli_text import format_multiclass, format_multiclass_cache_notice
    from core.data import load_dataset
    from core.multiclass import multiclass_summary, train_multiclass

    with _said_if_not_kept(format_multiclass_cache_notice), warnings.catch_warnings():
        # A fit stopped at max_iter is counted in the summary, not warned about once per fit.
        warnings.filterwarnings("ignore", message=CONVERGENCE_WARNING)
        result = train_multiclass(load_dataset(), use_cache=not args.no_cache)
    summary = multiclass_summary(result)
    text = json.dumps(summary, indent=2, allow_nan=False) if args.json else None
    print(text if args.json else format_multiclass(summary))
    return 0


SCORE_FILE_OPTIONS = ("label", "score", "positive", "fold", "split", "group", "id")


def _check_tradeoff_arguments(args: argparse.Namespace) -> None:
    if (args.fp_cost is None) != (args.fn_cost is None):
        raise ValueError("give both --fp-cost and --fn-cost, or neither")
    if math.isnan(args.threshold):
        raise ValueError("--threshold must be a number, got nan")
    if args.prevalence is not None and not 0 < args.prevalence < 1:
        raise ValueError(f"--prevalence must be between 0 and 1 (exclusive), got {args.prevalence}")
    for name, cost in (("--fp-cost", args.fp_cost), ("--fn-cost", args.fn_cost)):
        if cost is not None and not 0 <= cost < math.inf:
            raise ValueError(f"{name} must be a finite number >= 0, got {cost}")


def _tradeoff(args: argparse.Namespace) -> int:
    _check_tradeoff_arguments(args)
    if args.scores is not None:
        return _scores_tradeoff(args)
    given = [f"--{option}" for option in SCORE_FILE_OPTIONS if getattr(args, option) is not None]
    if given:
        raise ValueError(
            f"{', '.join(given)} {'needs' if len(given) == 1 else 'need'} --scores FILE"
        )
    from core.cli_text import format_tradeoff
    from core.data import load_dataset
    from core.detector import train_detector
    from core.export import refit_comparison_of
    from core.tradeoff import tradeoff_data, tradeoff_summary

    digit = 5 if args.digit is None else args.digit
    if not 0 <= digit <= 9:
        raise ValueError(f"--digit must be 0-9, got {digit}")
    dataset = load_dataset()
    with _said_if_not_kept():
        result = train_detector(dataset, digit=digit)
    summary = tradeoff_summary(
        tradeoff_data(result),
        threshold=args.threshold,
        prevalence=args.prevalence,
        false_positive_cost=args.fp_cost,
        false_negative_cost=args.fn_cost,
    )
    refit = refit_comparison_of(result, dataset, threshold=args.threshold)
    summary = {"digit": digit, **summary, "refit": refit.as_json()}
    print(json.dumps(summary, indent=2, allow_nan=False) if args.json else format_tradeoff(summary))
    return 0


def _scores_tradeoff(args: argparse.Namespace) -> int:
    """``tradeoff --scores FILE``: the same keys, with ``source`` and, with --group, ``groups``."""
    from core.cli_text import format_tradeoff
    from core.formatting import score_file_problem_text
    from core.groups import group_figures, group_indexes
    from core.score_files import (
        ScoreFileError,
        chosen_columns,
        limits_from_env,
        load_score_table,
        scored_set_from_table,
    )
    from core.tradeoff import scored_tradeoff_data, tradeoff_summary

    name = os.path.basename(args.scores) or args.scores
    try:
        table = load_score_table(args.scores, name=name, limits=limits_from_env())
        given = {option: getattr(args, option) for option in SCORE_FILE_OPTIONS}
        del given["positive"]
        columns = chosen_columns(table, **given)
        scored = scored_set_from_table(table, positive=args.positive, **columns)
    except ScoreFileError as exc:
        print(f"error: {_line(score_file_problem_text(exc))}", file=sys.stderr)
        return EXIT_ERROR
    summary = tradeoff_summary(
        scored_tradeoff_data(scored),
        threshold=args.threshold,
        prevalence=args.prevalence,
        false_positive_cost=args.fp_cost,
        false_negative_cost=args.fn_cost,
    )
    source = {
        "file": name,
        "format": table.format,
        "rows": table.n_rows,
        "curve_rows": int(scored.curve_rows.size),
        "test_rows": int(scored.test_rows.size),
        "columns": columns,
        "positive_label": scored.positive_label,
        "negative_label": scored.negative_label,
        "folds": list(scored.fold_names),
    }
    summary = {"source": source, **summary}
    if scored.has_groups:
        figures = group_figures(group_indexes(scored), threshold=args.threshold)
        summary["groups"] = [f.as_json() for f in figures]
    print(json.dumps(summary, indent=2, allow_nan=False) if args.json else format_tradeoff(summary))
    return 0


def _score_image(model, path: str) -> dict:
    """One image's entry: file, score, is_digit, answer; or file and error."""
    from core.digit_image import (
        DigitImageError,
        digit_features,
        prepare_digit_image,
        read_image_file,
    )

    try:
        prepared = prepare_digit_image(read_image_file(path))
    except DigitImageError as exc:
        return {"file": path, "error": str(exc)}
    except OSError as exc:
        return {"file": path, "error": f"cannot read it ({exc.strerror or exc})"}
    features = digit_features(prepared, image_shape=model.image_shape)
    score = float(model.decision_function(features.reshape(1, -1))[0])
    is_digit = bool(score >= model.threshold)
    answer = f"{'is' if is_digit else 'not'} a {model.digit}"
    return {"file": path, "score": score, "is_digit": is_digit, "answer": answer}


def _predict(args: argparse.Namespace) -> int:
    from core.export import ModelFileError, load_model

    try:
        model = load_model(args.model)
    except ModelFileError as exc:
        print(f"error: {args.model}: {_line(exc)}", file=sys.stderr)
        return EXIT_ERROR
    except OSError as exc:
        print(
            f"error: {args.model}: cannot read it ({_line(exc.strerror or exc)})", file=sys.stderr
        )
        return EXIT_ERROR
    threshold = model.card["threshold"]  # as written: the exact float, or "inf" / "-inf"
    if not args.json:
        print(
            f"{args.model}: detector of the digit {model.digit}, threshold {threshold} "
            f"(is a {model.digit} when score >= threshold)"
        )
    results = []
    for path in args.images:
        entry = _score_image(model, path)
        results.append(entry)
        if args.json:
            continue
        if "error" in entry:
            sys.stdout.flush()  # keep the lines in order when both go to one terminal
            print(f"{path}: error: {_line(entry['error'])}", file=sys.stderr)
        else:
            print(f"{path}: score {entry['score']:.2f}, {entry['answer']}")
    if args.json:
        summary = {
            "model": {"file": args.model, "digit": model.digit, "threshold": threshold},
            "images": results,
        }
        print(json.dumps(summary, indent=2, allow_nan=False))
    failed = sum("error" in entry for entry in results)
    return EXIT_SOME_IMAGES_FAILED if failed else 0


_COMMANDS = {
    "info": _info,
    "report": _report,
    "multiclass": _multiclass,
    "tradeoff": _tradeoff,
    "predict": _predict,
}


def main(argv: list[str] | None = None) -> int:
    """Run one command; return the process exit status.

    Every expected failure is one line on stderr; an unexpected one too, pointing to
    ``--debug``, which prints the traceback instead.
    """
    args = _build_parser().parse_args(argv)
    try:
        return _COMMANDS[args.command](args)
    except BrokenPipeError:
        # The reader went away (`... | head`): not an error of ours. Silence the final flush.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return EXIT_ERROR
    except (ValueError, OSError) as exc:
        print(f"error: {_line(exc)}", file=sys.stderr)
        return EXIT_ERROR
    except Exception as exc:  # noqa: BLE001 - a bug: one line, or the traceback when asked
        if args.debug:
            traceback.print_exc()
        else:
            text = str(exc).splitlines()
            what = f"{type(exc).__name__}: {text[0]}" if text else type(exc).__name__
            print(
                f"error: unexpected failure ({what}); run again with --debug for the traceback",
                file=sys.stderr,
            )
        return EXIT_ERROR
