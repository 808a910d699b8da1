"""The JSON API: `POST /api/ask` returns exactly what `ask --json` prints; `GET /healthz`.

A thin shell over `Assistant`. Every bad request is a 4xx whose body is `{"error": "…"}` saying
what to change, never a 500: malformed JSON (400), wrong types, unknown fields or an invalid
question (422). FastAPI publishes the schema at `/openapi.json` and the docs at `/docs`.
"""

from __future__ import annotations

from typing import Any, cast

from fastapi import APIRouter, FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict, Field, StrictInt, StrictStr

from assistant.answer import Answer, Assistant
from assistant.config import DEFAULT_TOP_K, MAX_TOP_K
from assistant.errors import QuestionError


class AskRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    question: StrictStr = Field(description="The question, in any language.")
    history: list[StrictStr] = Field(
        default_factory=list, description="Earlier questions of the conversation, oldest first."
    )
    top_k: StrictInt = Field(
        default=DEFAULT_TOP_K, description=f"How many passages to return (1-{MAX_TOP_K})."
    )


class Health(BaseModel):
    status: str
    documents: int
    passages: int
    index_built_at: str


def _problem(status: int, message: str) -> JSONResponse:
    return JSONResponse({"error": message}, status_code=status)


def _describe(error: RequestValidationError) -> tuple[int, str]:
    problems = error.errors()
    example = 'Send a JSON object like {"question": "What are the school\'s values?"}.'
    if any(p.get("type") == "json_invalid" for p in problems):
        return 400, f"The body is not valid JSON. {example}"
    if any(p.get("type") == "missing" and tuple(p.get("loc", ())) == ("body",) for p in problems):
        return 400, f"The body is empty, so it is not valid JSON. {example}"
    messages = []
    for p in problems:
        where = ".".join(str(part) for part in p.get("loc", ()) if part != "body") or "body"
        if p.get("type") == "extra_forbidden":
            messages.append(f"unknown field '{where}' (allowed: question, history, top_k)")
        elif p.get("type") == "missing":
            messages.append(f"'{where}' is required")
        else:
            messages.append(f"'{where}': {p.get('msg', 'invalid value')}")
    return 422, "Invalid request: " + "; ".join(messages) + "."


def install_error_handlers(app: FastAPI) -> None:
    """Answer every malformed request with a 4xx and a message instead of FastAPI's detail."""

    async def on_invalid(_request: Request, error: Exception) -> JSONResponse:
        return _problem(*_describe(cast(RequestValidationError, error)))

    async def on_question(_request: Request, error: Exception) -> JSONResponse:
        return _problem(422, str(error))

    app.add_exception_handler(RequestValidationError, on_invalid)
    app.add_exception_handler(QuestionError, on_question)


def api_router(assistant: Assistant) -> APIRouter:
    router = APIRouter()
    manifest = assistant.retriever.index.manifest

    @router.post(
        "/api/ask",
        response_model=Answer,
        responses={400: {"description": "Malformed JSON"}, 422: {"description": "Bad input"}},
        summary="Answer a question with passages of the policy (same object as ask --json)",
    )
    def ask(body: AskRequest) -> JSONResponse:
        # Returned as is: `Answer` is already the contract, validating it again costs time.
        return JSONResponse(assistant.ask(body.question, body.history, body.top_k).to_dict())

    @router.get("/healthz", response_model=Health, summary="Tell whether the assistant is ready")
    def healthz() -> dict[str, Any]:
        return {
            "status": "ok",
            "documents": len(assistant.documents),
            "passages": len(assistant.retriever.index.chunks),
            "index_built_at": str(manifest.get("built_at", "")),
        }

    return router
