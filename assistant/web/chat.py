"""The Gradio chat: a thin shell over `Assistant` that shows the policy's exact words.

Each reply shows the answer sentence, its section and passage, and a link to the full policy
with the passage marked (see `rendering`). Questions are answered and logged through the
`QuestionLog` (a line under the box says so, in the visitor's language); thumbs up/down go to
the `Store`. The interface speaks the browser's language (see `translations`); the page's
`lang` and `dir` follow it, and quoted policy text is marked as English. The compact view (for
iframes) hides the page header from sight but not from screen readers.

Every event is a plain HTTP request (`queue=False`), not a job on Gradio's queue. The queue
streams each page's results over one event stream that the server closes as soon as the
page has nothing pending; a question sent while that close is on its way (typically just
after a vote, the shortest event) joined the queue, found the stream still marked open in
the browser, and its reply was never delivered. Questions wait their turn in `Assistant`
instead, and a page's questions in its `Conversation`, which also holds what the chat shows:
a question sent while another is pending is answered after it, never dropped. Does not
retrieve, rank or store anything itself.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any

import gradio as gr

from assistant.config import DEFAULT_TOP_K, FALLBACK_LANGUAGE, MAX_QUESTION_CHARS
from assistant.errors import EmptyQuestion, QuestionError, QuestionTooLong
from assistant.feedback.question_log import QuestionLog
from assistant.feedback.store import Store
from assistant.questions import clean_question
from assistant.translations import interface_language, language_notice, words
from assistant.web.conversation import Conversation, Turn
from assistant.web.limits import QuestionBudget
from assistant.web.rendering import reply_html, text_html

log = logging.getLogger(__name__)

CSS = """
.gradio-container { font-family: system-ui, -apple-system, "Segoe UI", sans-serif; }
.pa-header h1 { font-size: 1.35rem; margin: 0 0 .25rem; color: #8b0f16; }
.pa-header p { margin: 0; color: #3d3d3d; }
.pa-reply p { margin: .3rem 0; }
.pa-section { font-size: .85rem; color: #3d3d3d; }
.pa-passage { border-left: 3px solid #767676; margin: .4rem 0; padding: .2rem .6rem; color: #222; }
mark.pa-answer { background: #fff0b3; color: #1a1a1a; font-weight: 600; padding: 0 .1rem; }
#pa-send { background: #8b0f16; border-color: #8b0f16; color: #fff; }
.pa-notice { font-size: .8rem; color: #3d3d3d; }
.pa-examples button { font-size: .85rem; }
.pa-visually-hidden { position: absolute !important; width: 1px; height: 1px; overflow: hidden;
  clip: rect(0 0 0 0); clip-path: inset(50%); white-space: nowrap; }
:focus-visible { outline: 3px solid #1a5fb4 !important; outline-offset: 2px; }
"""

IDLE_SESSION_S = 24 * 3600

# The iframe already sits inside the school's page: no outer margins of its own.
COMPACT_CSS = ".gradio-container { padding: 4px !important; }\n"

# Runs in the browser once the start event has put the interface in the visitor's language:
# the page's language and direction follow the interface, not Gradio's guess from the
# browser's settings; `data-pa-ready` tells scripts (and the browser tests) it is done.
SET_PAGE_LANGUAGE = """(language, direction) => {
  document.documentElement.lang = language;
  document.documentElement.dir = direction;
  document.documentElement.dataset.paReady = "1";
  return [];
}"""


# Runs in the browser on Enter or "Ask": hands the question on and empties the box at once.
TAKE_QUESTION = "(question) => [question, '']"


def base_url(request: gr.Request) -> str:
    """Return the app's own origin, so policy links also work in an embedding page.

    The scheme is the connection's, or a trusted proxy's (uvicorn applies
    `--forwarded-allow-ips`); an untrusted X-Forwarded-Proto is ignored.
    """
    return f"{request.url.scheme}://{request.url.netloc}"


def client_address(request: gr.Request) -> str | None:
    client = getattr(request, "client", None)
    return getattr(client, "host", None)


def error_html(message: str) -> str:
    return f'<div class="pa-reply pa-error"><p>{text_html(message)}</p></div>'


def error_text(error: QuestionError, table: Mapping[str, Any]) -> str:
    """Say why a question cannot be answered, in the interface's language."""
    if isinstance(error, EmptyQuestion):
        return str(table["question_empty"])
    if isinstance(error, QuestionTooLong):
        return str(table["question_too_long"]).format(
            length=f"{error.length:,}", limit=f"{error.limit:,}"
        )
    return str(error)


def header_html(table: Mapping[str, Any], compact: bool) -> str:
    intro = "" if compact else f"<p>{text_html(table['intro'])}</p>"
    hidden = ' class="pa-visually-hidden"' if compact else ""
    return f"<h1{hidden}>{text_html(table['title'])}</h1>{intro}"


def log_notice_html(table: Mapping[str, Any], questions: QuestionLog) -> str:
    """Say under the chat box that questions are kept, and for how long (if they are)."""
    if not questions.enabled:
        return ""
    notice = str(table["log_notice"]).format(days=questions.keep_days)
    return f'<p class="pa-notice">{text_html(notice)}</p>'


def build_chat(
    questions: QuestionLog, store: Store, budget: QuestionBudget, *, compact: bool
) -> gr.Blocks:
    """Build the chat page (or, with `compact`, the chrome-free view for iframes)."""
    door = "embed" if compact else "chat"

    def start(_conversation: Conversation, request: gr.Request) -> tuple[Any, ...]:
        # taking the conversation creates it now, before two first questions could race to
        # create one each
        language = interface_language(request.headers.get("accept-language", ""))
        table = words(language)
        examples = [gr.Button(value=text) for text in table["examples"]]
        return (
            language,
            table["direction"],
            gr.HTML(header_html(table, compact)),
            gr.Textbox(placeholder=table["placeholder"], label=table["question_label"]),
            gr.Button(value=table["send"]),
            gr.HTML(log_notice_html(table, questions)),
            *examples,
        )

    def refusal(question: str, table: Mapping[str, Any], request: gr.Request) -> str | None:
        """The reply to a question refused at once, before it waits for its turn: empty, too
        long, or over the visitor's budget (so waiting questions are always paid for)."""
        try:
            clean_question(question)  # an empty or overlong question costs no budget
        except QuestionError as error:
            return error_html(error_text(error, table))
        wait = budget.spend(client_address(request))
        if wait is not None:
            return error_html(str(table["rate_limited"]).format(seconds=wait))
        return None

    def reply_for(
        question: str, earlier: list[str], table: Mapping[str, Any], request: gr.Request
    ) -> tuple[str, Turn]:
        """Return the reply's HTML and its turn (votes join on the turn's reply id)."""
        try:
            answer = questions.ask(question, earlier, DEFAULT_TOP_K, door, wait=False)
        except QuestionError as error:
            return error_html(error_text(error, table)), Turn()
        notice = language_notice(table["code"], answer.language) if answer.notice else None
        reply = reply_html(answer, table, base_url(request), notice)
        shown = tuple(answer.passages or answer.related)
        return reply, Turn(answer.reply_id, answer.question, shown)

    def ask(
        question: str, conversation: Conversation, language: str, request: gr.Request
    ) -> tuple[Any, Conversation]:
        table = words(language)
        question = question if isinstance(question, str) else ""
        shown = text_html(question[:MAX_QUESTION_CHARS] if question.strip() else "…")
        refused = refusal(question, table, request)
        if refused is not None:
            messages = conversation.add_now(shown, refused)
            return gr.skip() if messages is None else messages, conversation

        def turn(earlier: list[str]) -> tuple[str, str, Turn]:
            try:
                reply, turn = reply_for(question, earlier, table, request)
            except Exception:  # never leave a visitor without a reply
                log.exception("answering a chat question failed")
                reply, turn = error_html(table["server_error"]), Turn()
            return shown, reply, turn

        messages = conversation.answer_next(turn)
        # an output too: Gradio's expiry of closed sessions covers only the State values it set
        return gr.skip() if messages is None else messages, conversation

    def vote(conversation: Conversation, data: gr.LikeData) -> None:
        index = data.index[0] if isinstance(data.index, (list, tuple)) else data.index
        turn = conversation.turn_of(index)
        if turn is None or turn.reply_id is None or turn.question is None:
            return
        choice = {True: "up", False: "down", "Like": "up", "Dislike": "down"}.get(data.liked)
        store.record(turn.reply_id, turn.question, turn.passages, choice)

    english = words(FALLBACK_LANGUAGE)
    with gr.Blocks(title=english["title"], analytics_enabled=False) as chat:
        # a hidden box, not a State: the browser needs it too, for the page's lang and dir
        language = gr.Textbox(FALLBACK_LANGUAGE, visible=False)
        direction = gr.Textbox("ltr", visible=False)  # from the locale file, for the page
        # each page session gets its own (see there); an idle day and it starts afresh
        conversation = gr.State(Conversation(), time_to_live=IDLE_SESSION_S)
        # the question being sent: the box empties at once, so text typed meanwhile is kept
        asked = gr.Textbox(visible=False)
        header = gr.HTML(header_html(english, compact), elem_classes="pa-header")
        chatbot = gr.Chatbot(
            elem_id="pa-chat",
            label=english["chat_label"],
            show_label=False,
            height=360 if compact else 520,
            sanitize_html=True,
            feedback_options=("Like", "Dislike"),
            buttons=["copy"],
        )
        with gr.Row(equal_height=True):
            question = gr.Textbox(
                elem_id="pa-question",
                label=english["question_label"],
                show_label=False,
                max_length=MAX_QUESTION_CHARS,
                scale=5,
                autofocus=not compact,
            )
            send = gr.Button("Ask", elem_id="pa-send", scale=1, min_width=80)
        notice = gr.HTML(log_notice_html(english, questions), elem_id="pa-log-notice")
        with gr.Row(elem_classes="pa-examples"):
            # English until the start event speaks the visitor's language: never Gradio's "Run"
            examples = [
                gr.Button(text, size="sm", variant="secondary") for text in english["examples"]
            ]

        private: dict[str, Any] = {"api_visibility": "private", "queue": False}
        chat.load(
            start,
            conversation,
            [language, direction, header, question, send, notice, *examples],
            **private,
        ).then(None, [language, direction], None, js=SET_PAGE_LANGUAGE, **private)
        # "multiple": a question sent while another is pending is answered after it, not dropped
        asking = {**private, "trigger_mode": "multiple"}
        for send_question in (question.submit, send.click):
            send_question(None, question, [asked, question], js=TAKE_QUESTION, **asking).then(
                ask, [asked, conversation, language], [chatbot, conversation], **asking
            )
        for example in examples:
            example.click(ask, [example, conversation, language], [chatbot, conversation], **asking)
        chatbot.like(vote, conversation, None, **private)
        # the trash button empties the chat; forget its turns too, or votes would misalign
        chatbot.clear(Conversation.clear, conversation, None, **private)
    return chat
