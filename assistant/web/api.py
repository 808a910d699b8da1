"""The JSON API: `POST /api/ask` returns what `ask --json` prints, with the `reply_id` that
`POST /api/vote` takes; `GET /healthz`.

A thin shell over `Assistant`. Every bad request is a 4xx whose body is `{"error": "…"}` saying
what to change, never a 500: malformed JSON (400), wrong types, unknown fields or an invalid
question (422). FastAPI publishes the schema at `/openapi.json` and the docs at `/docs`.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal, cast

from fastapi import APIRouter, FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict, Field, StrictStr, field_validator
from starlette.exceptions import HTTPException as StarletteHTTPException

from assistant.answer import Answer
from assistant.config import DEFAULT_TOP_K, MAX_HISTORY_TURNS, MAX_QUESTION_CHARS, MAX_TOP_K
from assistant.errors import QuestionError
from assistant.feedback.question_log import QuestionLog
from assistant.feedback.store import Store
from assistant.questions import not_blank_pattern
from assistant.web.limits import MAX_API_BODY_BYTES, QuestionBudget


class AskRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    question: StrictStr = Field(
        description="The question, in any language. Control characters are dropped and "
        "whitespace collapsed; what is left must not be empty.",
        min_length=1,
        max_length=MAX_QUESTION_CHARS,
        # something other than whitespace and control characters (else 422, "empty")
        pattern=not_blank_pattern(),
    )
    history: list[Annotated[StrictStr, Field(max_length=MAX_QUESTION_CHARS)]] = Field(
        default_factory=list,
        description=f"Earlier questions of the conversation, oldest first. Only the last "
        f"{MAX_HISTORY_TURNS} are read; empty ones are skipped.",
    )
    top_k: int = Field(
        default=DEFAULT_TOP_K,
        ge=1,
        le=MAX_TOP_K,
        description=f"How many passages to return (1-{MAX_TOP_K}).",
    )

    @field_validator("top_k", mode="before")
    @classmethod
    def _whole_number(cls, value: object) -> object:
        # JSON Schema counts 3.0 as an integer; "3" and true are not numbers at all
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise ValueError("must be a whole number")
        if isinstance(value, float):
            if not value.is_integer():
                raise ValueError("must be a whole number")
            return int(value)
        return value


class VoteRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    reply_id: StrictStr = Field(
        description="The `reply_id` of an answer from POST /api/ask.",
        min_length=1,
        max_length=64,
        pattern=r"^[0-9a-f]+$",
    )
    vote: Literal["up", "down"] | None = Field(
        description="Thumbs up, thumbs down, or null to withdraw the vote."
    )


class Voted(BaseModel):
    reply_id: str
    vote: Literal["up", "down"] | None


BODIES: dict[str, type[BaseModel]] = {"/api/ask": AskRequest, "/api/vote": VoteRequest}


class Health(BaseModel):
    status: str
    documents: int
    passages: int
    index_built_at: str


def _problem(status: int, message: str) -> JSONResponse:
    return JSONResponse({"error": message}, status_code=status)


EXAMPLE = 'Send a JSON object like {"question": "What are the school\'s values?"}.'
NOT_JSON = f"The body is not valid JSON. {EXAMPLE}"


def _describe(error: RequestValidationError, fields: str) -> tuple[int, str]:
    problems = error.errors()
    if any(p.get("type") == "json_invalid" for p in problems):
        return 400, NOT_JSON
    if any(p.get("type") == "missing" and tuple(p.get("loc", ())) == ("body",) for p in problems):
        return 400, f"The body is empty, so it is not valid JSON. {EXAMPLE}"
    messages = []
    for p in problems:
        where = ".".join(str(part) for part in p.get("loc", ()) if part != "body") or "body"
        if where == "question" and p.get("type") in ("string_too_short", "string_pattern_mismatch"):
            messages.append("the question is empty; type a question about the policy")
        elif where == "question" and p.get("type") == "string_too_long":
            messages.append(
                f"the question is too long: the limit is {MAX_QUESTION_CHARS:,} characters"
            )
        elif where == "top_k" and p.get("type") in ("greater_than_equal", "less_than_equal"):
            messages.append(f"top_k must be a whole number from 1 to {MAX_TOP_K}")
        elif p.get("type") == "extra_forbidden":
            messages.append(f"unknown field '{where}' (allowed: {fields})")
        elif p.get("type") == "missing":
            messages.append(f"'{where}' is required")
        else:
            messages.append(f"'{where}': {p.get('msg', 'invalid value')}")
    return 422, "Invalid request: " + "; ".join(messages) + "."


def install_error_handlers(app: FastAPI) -> None:
    """Answer every malformed request with a 4xx and a message instead of FastAPI's detail."""

    async def on_invalid(request: Request, error: Exception) -> JSONResponse:
        body = BODIES.get(request.url.path, AskRequest)
        return _problem(
            *_describe(cast(RequestValidationError, error), ", ".join(body.model_fields))
        )

    async def on_question(_request: Request, error: Exception) -> JSONResponse:
        return _problem(422, str(error))

    async def on_http(_request: Request, error: Exception) -> JSONResponse:
        problem = cast(StarletteHTTPException, error)
        message = str(problem.detail)
        if problem.status_code == 400 and "parsing the body" in message:
            message = NOT_JSON
        return JSONResponse(
            {"error": message}, status_code=problem.status_code, headers=problem.headers
        )

    app.add_exception_handler(StarletteHTTPException, on_http)
    app.add_exception_handler(RequestValidationError, on_invalid)
    app.add_exception_handler(QuestionError, on_question)


class Problem(BaseModel):
    error: str = Field(description="What went wrong and what to change.")


def _documented(*statuses: int) -> dict[int | str, dict[str, Any]]:
    meaning = {
        400: "The body is not JSON (or is empty).",
        404: "No reply with this id in the question log (it may be older than the "
        "retention, or the log is off).",
        413: f"The body is larger than {MAX_API_BODY_BYTES // 1024} KB.",
        422: "A field has the wrong type or value, or a field is unknown.",
        429: "Too many questions from this address this minute; see Retry-After.",
        503: "The vote could not be stored just now; try again later.",
    }
    return {status: {"model": Problem, "description": meaning[status]} for status in statuses}


def api_router(questions: QuestionLog, store: Store, budget: QuestionBudget) -> APIRouter:
    router = APIRouter()
    assistant = questions.assistant
    manifest = assistant.retriever.index.manifest

    @router.post(
        "/api/ask",
        response_model=Answer,
        responses=_documented(400, 413, 422, 429),
        summary="Answer a question with passages of the policy (same object as ask --json)",
    )
    def ask(body: AskRequest, request: Request) -> JSONResponse:
        wait = budget.spend(request.client.host if request.client else None)
        if wait is not None:
            return JSONResponse(
                {"error": budget.refusal(wait)},
                status_code=429,
                headers={"retry-after": str(wait)},
            )
        # Returned as is: `Answer` is already the contract, validating it again costs time.
        answer = questions.ask(body.question, body.history, body.top_k, door="api")
        return JSONResponse(answer.to_dict())

    @router.post(
        "/api/vote",
        response_model=Voted,
        responses=_documented(400, 404, 413, 422, 503),
        summary="Vote on an answer (thumbs up or down, or null to withdraw) by its reply_id",
    )
    def vote(body: VoteRequest) -> JSONResponse:
        stored = store.vote_on_logged(body.reply_id, body.vote) if questions.enabled else None
        if stored is None:
            return _problem(
                404,
                f"No reply {body.reply_id} in the question log: votes are "
                "taken on answers from POST /api/ask while the log is on.",
            )
        if not stored:
            return _problem(503, "The vote could not be stored just now; try again later.")
        return JSONResponse({"reply_id": body.reply_id, "vote": body.vote})

    @router.get("/healthz", response_model=Health, summary="Tell whether the assistant is ready")
    def healthz() -> dict[str, Any]:
        return {
            "status": "ok",
            "documents": len(assistant.documents),
            "passages": len(assistant.retriever.index.chunks),
            "index_built_at": str(manifest.get("built_at", "")),
        }

    return router
