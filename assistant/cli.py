"""The terminal interface: `build`, `ask` and `eval`, thin shells over `Assistant`; `serve` is
in `serve_command`, the corpus commands in `corpus_commands`, `report` and `forget` in
`log_commands`, the curation commands in `curation_commands`.

`main(argv) -> int` so tests call it in-process. Heavy imports happen inside the command that
needs them, so `--help` answers at once. Every `AssistantError` becomes one line on stderr and
a non-zero exit; nothing here retrieves or ranks.
"""

from __future__ import annotations

import argparse
import json
import sys
from dataclasses import replace
from pathlib import Path
from typing import Any, TextIO

from assistant import corpus_commands, curation_commands, log_commands, serve_command
from assistant.config import (
    DEFAULT_TOP_K,
    MAX_TOP_K,
    PROJECT_ROOT,
    Settings,
)
from assistant.errors import AssistantError, QuestionError
from assistant.translations import words

BOLD, RESET = "\033[1m", "\033[0m"


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m assistant",
        description="Answer questions with the exact words of INSA Lyon's international policy.",
    )
    parser.add_argument("--corpus", type=Path, help="folder of policy documents (default: corpus/)")
    parser.add_argument("--index", type=Path, help="folder of the built index (default: index/)")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)

    commands.add_parser(
        "build",
        help="chunk and embed the corpus into the index folder",
        description="Chunk and embed the corpus into the index folder.",
    )

    ask = commands.add_parser(
        "ask",
        help="answer one question (or '-' for one per stdin line)",
        description="Answer a question with passages of the policy.",
    )
    ask.add_argument("question", help="the question, or '-' to read one per line from stdin")
    ask.add_argument(
        "-k",
        "--top-k",
        type=int,
        default=DEFAULT_TOP_K,
        help=f"how many passages to show (1-{MAX_TOP_K}, default {DEFAULT_TOP_K})",
    )
    ask.add_argument("--json", action="store_true", help="print the JSON contract instead of text")

    evaluate = commands.add_parser(
        "eval",
        help="measure retrieval on an evaluation set",
        description="Print Hit@1, Hit@3, MRR@5, answer-sentence accuracy and outcomes "
        "(declined, conversation) with 95 % intervals, overall, per kind and per language, "
        "then coverage against precision.",
    )
    evaluate.add_argument(
        "file",
        nargs="?",
        type=Path,
        default=PROJECT_ROOT / "tests" / "data" / "eval.jsonl",
        help="JSON Lines evaluation set (default: tests/data/eval.jsonl)",
    )

    serve_command.add_parser(commands)
    corpus_commands.add_parsers(commands)
    log_commands.add_parsers(commands)
    curation_commands.add_parsers(commands)
    return parser


def _settings(args: argparse.Namespace) -> Settings:
    defaults = Settings.from_env()
    return replace(
        defaults,
        corpus_dir=args.corpus or defaults.corpus_dir,
        index_dir=args.index or defaults.index_dir,
        feedback_db=getattr(args, "feedback_db", None) or defaults.feedback_db,
        question_log=defaults.question_log and not getattr(args, "no_question_log", False),
        keep_days=getattr(args, "keep_days", None) or defaults.keep_days,
    )


def main(argv: list[str] | None = None) -> int:
    """Run one command; return the process exit status."""
    parser = _parser()
    args = parser.parse_args(argv)
    try:
        if args.command == "build":
            return _build(_settings(args))
        if args.command == "ask":
            return _ask(args, _settings(args))
        if args.command == "serve":
            return serve_command.run(args, _settings(args))
        if args.command in ("add", "remove", "restore", "documents"):
            return corpus_commands.run(args, _settings(args))
        if args.command in ("report", "forget"):
            return log_commands.run(args, _settings(args))
        if args.command in ("pin", "unpin", "redirect", "unredirect", "curation"):
            return curation_commands.run(args, _settings(args))
        return _eval(args, _settings(args))
    except AssistantError as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        sys.stderr.close()  # the reader went away (`| head`); nothing left to say
        return 1
    except OSError as error:
        print(
            f"error: {error.strerror or error}: {error.filename or ''}. Check that the corpus "
            "folder is readable and the index folder writable.",
            file=sys.stderr,
        )
        return 1


def _build(settings: Settings) -> int:
    from assistant.indexing.build import build_index
    from assistant.retrieval.recipe import default_recipe

    report = build_index(
        settings.corpus_dir, settings.index_dir, default_recipe(settings.corpus_dir)
    )
    for problem in report.problems:
        print(f"warning: skipped {problem}", file=sys.stderr)
    print(
        f"Indexed {report.chunk_count} passages from {report.document_count} document(s) "
        f"into {settings.index_dir} in {report.seconds:.1f} s."
    )
    return 0


def _ask(args: argparse.Namespace, settings: Settings) -> int:
    from assistant.answer import Assistant, clean_top_k

    top_k = clean_top_k(args.top_k)
    if args.question == "-":
        if not args.json:
            raise QuestionError("Reading questions from stdin needs --json: ask --json -")
        return _ask_batch(Assistant.load(settings), top_k, sys.stdin.buffer, sys.stdout)
    answer = Assistant.load(settings).ask(args.question, top_k=top_k)
    if args.json:
        print(json.dumps(answer.to_dict(), ensure_ascii=False))
    else:
        print(_render(answer, bold=sys.stdout.isatty()))
    return 0


def _parse_line(raw: bytes) -> tuple[Any, Any]:
    """Read one stdin line as a question, or a JSON object {"question", "history"}."""
    try:
        line = raw.decode("utf-8").strip()
    except UnicodeDecodeError:
        raise QuestionError("line is not valid UTF-8") from None
    if not line:
        raise QuestionError("line is empty; write one question per line")
    if not line.startswith("{"):
        return line, ()
    try:
        request = json.loads(line)
    except json.JSONDecodeError as error:
        raise QuestionError(f"line is not a valid JSON object ({error.msg})") from None
    if not isinstance(request, dict) or "question" not in request:
        raise QuestionError('a JSON line needs a "question" field')
    unknown = set(request) - {"question", "history"}
    if unknown:
        raise QuestionError(f"unknown field(s): {', '.join(sorted(unknown))}")
    return request["question"], request.get("history", ())


def _ask_batch(assistant: Any, top_k: int, lines: Any, out: TextIO) -> int:
    failed = False
    for raw in lines:
        try:
            question, history = _parse_line(raw)
            result = assistant.ask(question, history=history, top_k=top_k).to_dict()
        except AssistantError as error:
            result, failed = {"error": str(error)}, True
        out.write(json.dumps(result, ensure_ascii=False) + "\n")
        out.flush()
    return 1 if failed else 0


def _render(answer: Any, *, bold: bool) -> str:
    """Answers show whole passages; related passages come after a heading that says they are
    not an answer, as their answer sentence only; other outcomes are a message."""
    blocks = [answer.notice] if answer.notice else []
    if not answer.answered:
        blocks.append(answer.message + (f"\n{answer.link}" if answer.link else ""))
    if answer.related:
        blocks.append(words("en")["related_heading"] + ":")
    for number, passage in enumerate(answer.passages or answer.related, start=1):
        term = f"{passage.term} — " if passage.term else ""
        text = passage.text if answer.answered else passage.highlight
        if bold and answer.answered:
            cut = passage.highlight_start - passage.start
            text = (
                text[:cut] + BOLD + passage.highlight + RESET + text[cut + len(passage.highlight) :]
            )
        pinned = f"{words('en')['pinned']}: " if passage.pinned else ""
        blocks.append(
            f"[{number}] {pinned}{passage.section} (score {passage.score:.2f}, "
            f"{passage.source}:{passage.start}-{passage.end}; {passage.title}, "
            f"{passage.version_date or 'undated'})\n{term}{text}"
        )
    return "\n\n".join(blocks)


def _eval(args: argparse.Namespace, settings: Settings) -> int:
    from assistant.answer import Assistant
    from assistant.evaluation import evaluate, format_report, read_eval_set

    cases = read_eval_set(args.file)
    print(format_report(evaluate(Assistant.load(settings), cases)))
    return 0
