"""The one exception family the interfaces print as a single line, never a traceback."""


class AssistantError(Exception):
    """A problem the user can act on; the message says what went wrong and what to do."""


class CorpusError(AssistantError):
    """A corpus file that cannot be read or parsed."""


class IndexProblem(AssistantError):
    """A missing, stale or damaged index that could not be rebuilt."""


class QuestionError(AssistantError):
    """A question that cannot be answered as given (empty, too long, not text)."""


class EmptyQuestion(QuestionError):
    """Nothing is left of the question once control characters and spaces are removed."""


class QuestionTooLong(QuestionError):
    """A question above the length limit; carries both numbers so the chat can translate."""

    def __init__(self, message: str, length: int, limit: int) -> None:
        super().__init__(message)
        self.length = length
        self.limit = limit
