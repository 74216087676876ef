"""Command line: ``python -m core info`` and ``python -m core report``.

Every failure is one line on stderr and exit status 2, never a traceback.
"""

from __future__ import annotations

import argparse
import json
import os
import sys

EXIT_ERROR = 2


class _Parser(argparse.ArgumentParser):
    """argparse that reports usage errors with our exit status, in one line."""

    def error(self, message: str) -> None:  # noqa: D102 - argparse's hook
        self.exit(EXIT_ERROR, f"{self.prog}: error: {message}\n")


def _build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="python -m core", description="Threshold Explorer's command line.")
    commands = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)

    info = commands.add_parser("info", help="where the dataset comes from, its sizes and classes")
    info.add_argument("--json", action="store_true", help="print the summary as JSON")

    report = commands.add_parser(
        "report", help="every number of the notebook's cells [6] to [14] for one digit"
    )
    report.add_argument("--digit", type=int, default=5, help="the digit to detect (0-9)")
    report.add_argument("--json", action="store_true", help="print the numbers as JSON")
    report.add_argument(
        "--no-cache", action="store_true", help="recompute instead of reading the disk cache"
    )
    return parser


def _info(args: argparse.Namespace) -> int:
    from core.data import dataset_summary, format_summary, load_dataset

    summary = dataset_summary(load_dataset())
    print(json.dumps(summary, indent=2) if args.json else format_summary(summary))
    return 0


def _report(args: argparse.Namespace) -> int:
    from core.data import load_dataset
    from core.detector import format_report, notebook_report

    if not 0 <= args.digit <= 9:
        raise ValueError(f"--digit must be 0-9, got {args.digit}")
    report = notebook_report(load_dataset(), digit=args.digit, use_cache=not args.no_cache)
    print(json.dumps(report, indent=2) if args.json else format_report(report))
    return 0


_COMMANDS = {"info": _info, "report": _report}


def main(argv: list[str] | None = None) -> int:
    """Run one command; return the process exit status."""
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
    except (ValueError, OSError, RuntimeError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_ERROR
