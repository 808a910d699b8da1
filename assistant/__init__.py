"""Policy Assistant: answers questions with the exact words of INSA Lyon's international policy."""

from assistant.answer import Answer, Assistant, Passage
from assistant.errors import AssistantError

__all__ = ["Answer", "Assistant", "AssistantError", "Passage"]
