"""Example questions kept with the policy: questions whose answering passage is known.

`corpus/example-questions.jsonl` holds one JSON object per line, `{"question": …, "passage":
"exact words of the passage that answers it"}`. Like a pin, the passage is named by a phrase it
contains, so an example survives edits elsewhere in the policy. Retrieval learns from them which
passage questions like these want (see `retrieval.router`). A bad line is reported with its
number and skipped; the others load. Does not embed or learn anything.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

EXAMPLES_FILE = "example-questions.jsonl"


@dataclass(frozen=True)
class Example:
    """A question and exact words of the passage that answers it."""

    question: str
    passage: str  # an exact phrase of the passage that answers it


@dataclass(frozen=True)
class Examples:
    """The examples that loaded, and a message for each line that did not."""

    examples: tuple[Example, ...] = ()
    problems: tuple[str, ...] = ()

    @property
    def questions(self) -> tuple[str, ...]:
        return tuple(example.question for example in self.examples)


def read_examples(corpus_dir: Path) -> Examples:
    """Read the corpus folder's example questions; none when it has no such file."""
    path = corpus_dir / EXAMPLES_FILE
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return Examples()
    except (OSError, UnicodeDecodeError) as error:
        return Examples(problems=(f"{EXAMPLES_FILE}: cannot be read ({error}); no examples",))
    return parse_examples(text)


def parse_examples(text: str) -> Examples:
    """Read the file's lines: the sound ones as examples, the others as problems by line."""
    examples, problems = [], []
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            item = json.loads(line)
        except json.JSONDecodeError as error:
            problems.append(f"{EXAMPLES_FILE} line {number}: not JSON ({error.msg}); skipped")
            continue
        fields = item if isinstance(item, dict) else {}
        question, passage = fields.get("question"), fields.get("passage")
        if not (isinstance(question, str) and question.strip()) or not (
            isinstance(passage, str) and passage.strip()
        ):
            problems.append(
                f'{EXAMPLES_FILE} line {number}: needs a "question" and a "passage" (text); skipped'
            )
            continue
        examples.append(Example(question.strip(), passage.strip()))
    return Examples(tuple(examples), tuple(problems))
