"""The Gradio chat: a thin shell over `Assistant` that shows the policy's exact words.

Each reply shows the answer sentence, its section and passage, and a link to the full policy
with the passage marked (see `rendering`); thumbs up/down go to the `FeedbackStore`. Interface
strings are French or English, chosen from the browser's Accept-Language. The compact view (for
iframes) drops the page header. Does not retrieve, rank or store anything itself.
"""

from __future__ import annotations

import uuid
from typing import Any

import gradio as gr

from assistant.answer import Assistant, Passage
from assistant.config import DEFAULT_TOP_K, MAX_QUESTION_CHARS
from assistant.errors import QuestionError
from assistant.feedback import FeedbackStore
from assistant.rendering import reply_html, text_html

WORDS = {
    "en": {
        "title": "INSA Lyon international policy",
        "intro": "Ask about INSA Lyon's international policy. Every answer quotes the policy "
        "itself, with a link to the passage.",
        "placeholder": "Ask a question about the international policy…",
        "send": "Ask",
        "section": "Section",
        "open_policy": "Open this passage in the policy",
        "also": "Also relevant:",
        "notice": "Your question was understood. The passages are quoted from the policy in "
        "English, which is the authoritative text.",
        "not_covered": "The international policy does not cover that, sorry. It is about INSA "
        "Lyon's international strategy, its networks and partners, its worldwide presence and "
        "its values. Try one of the example questions.",
        "examples": "How many foreign students does INSA Lyon welcome?|What are the school's "
        "values?|What is the CDEFI?",
    },
    "fr": {
        "title": "Politique internationale de l'INSA Lyon",
        "intro": "Posez une question sur la politique internationale de l'INSA Lyon. Chaque "
        "réponse cite le texte de la politique, avec un lien vers le passage.",
        "placeholder": "Posez une question sur la politique internationale…",
        "send": "Demander",
        "section": "Section",
        "open_policy": "Voir ce passage dans la politique",
        "also": "Voir aussi :",
        "notice": "Votre question a été comprise. Les passages sont cités dans la version "
        "anglaise de la politique, qui fait foi.",
        "not_covered": "La politique internationale n'aborde pas ce sujet, désolé. Elle porte "
        "sur la stratégie internationale de l'INSA Lyon, ses réseaux et partenaires, sa "
        "présence dans le monde et ses valeurs. Essayez l'une des questions d'exemple.",
        "examples": "Combien d'étudiants étrangers l'INSA Lyon accueille-t-elle ?|Quelles sont "
        "les valeurs de l'école ?|Qu'est-ce que la CDEFI ?",
    },
}
LANGUAGES = tuple(WORDS)

CSS = """
.gradio-container { font-family: system-ui, -apple-system, "Segoe UI", sans-serif; }
.pa-header h1 { font-size: 1.35rem; margin: 0 0 .25rem; color: #8b0f16; }
.pa-header p { margin: 0; color: #444; }
.pa-reply p { margin: .3rem 0; }
.pa-section { font-size: .85rem; color: #555; }
.pa-passage { border-left: 3px solid #c8c8c8; margin: .4rem 0; padding: .2rem .6rem; color: #333; }
mark.pa-answer { background: #fff0b3; color: inherit; font-weight: 600; padding: 0 .1rem; }
#pa-send { background: #8b0f16; border-color: #8b0f16; color: #fff; }
.pa-notice { font-size: .8rem; color: #666; }
.pa-examples button { font-size: .85rem; }
"""

# The iframe already sits inside the school's page: no outer margins of its own.
COMPACT_CSS = ".gradio-container { padding: 4px !important; }\n"


def interface_language(accept_language: str) -> str:
    """Pick the interface language from an Accept-Language header (default English)."""
    ranked = []
    for position, item in enumerate(accept_language.split(",")):
        tag, _, params = item.strip().partition(";")
        quality = 1.0
        if params.strip().startswith("q="):
            try:
                quality = float(params.strip()[2:])
            except ValueError:
                quality = 0.0
        ranked.append((-quality, position, tag.strip().lower()[:2]))
    for _, _, language in sorted(ranked):
        if language in LANGUAGES:
            return language
    return "en"


def base_url(request: gr.Request) -> str:
    """Return the app's own origin, so policy links also work in an embedding page."""
    headers = request.headers
    scheme = headers.get("x-forwarded-proto") or request.url.scheme
    return f"{scheme}://{headers.get('host', '127.0.0.1')}"


def build_chat(assistant: Assistant, feedback: FeedbackStore, *, compact: bool) -> gr.Blocks:
    """Build the chat page (or, with `compact`, the chrome-free view for iframes)."""

    def start(request: gr.Request) -> tuple[Any, ...]:
        language = interface_language(request.headers.get("accept-language", ""))
        words = WORDS[language]
        header = f"<h1>{text_html(words['title'])}</h1><p>{text_html(words['intro'])}</p>"
        examples = [gr.Button(value=text) for text in words["examples"].split("|")]
        return (
            language,
            gr.HTML(header),
            gr.Textbox(placeholder=words["placeholder"]),
            gr.Button(value=words["send"]),
            *examples,
        )

    def ask(
        question: str, messages: list, turns: list, language: str, request: gr.Request
    ) -> tuple[list, list, str]:
        words = WORDS.get(language, WORDS["en"])
        earlier = [turn["question"] for turn in turns if turn["question"]]
        try:
            answer = assistant.ask(question, history=earlier, top_k=DEFAULT_TOP_K)
        except QuestionError as error:
            reply = f'<div class="pa-reply pa-error"><p>{text_html(str(error))}</p></div>'
            turns = [*turns, {"id": None, "question": None, "passages": []}]
        else:
            reply = reply_html(answer, words, base_url(request))
            passages = [p.__dict__ for p in answer.passages]
            turns = [
                *turns,
                {"id": uuid.uuid4().hex, "question": answer.question, "passages": passages},
            ]
        shown = text_html(question[:MAX_QUESTION_CHARS] if question.strip() else "…")
        messages = [
            *messages,
            {"role": "user", "content": shown},
            {"role": "assistant", "content": reply},
        ]
        return messages, turns, ""

    def vote(turns: list, data: gr.LikeData) -> None:
        index = data.index[0] if isinstance(data.index, (list, tuple)) else data.index
        turn_number = index // 2  # user and assistant messages alternate
        if not 0 <= turn_number < len(turns) or turns[turn_number]["id"] is None:
            return
        turn = turns[turn_number]
        choice = {True: "up", False: "down", "Like": "up", "Dislike": "down"}.get(data.liked)
        passages = [Passage(**p) for p in turn["passages"]]
        feedback.record(turn["id"], turn["question"], passages, choice)

    def ask_api(
        question: str, history: list[str] | None = None, top_k: int = DEFAULT_TOP_K
    ) -> dict[str, Any]:
        """Answer like `POST /api/ask`: the same JSON object as `ask --json`."""
        try:
            return assistant.ask(question, history=history or [], top_k=top_k).to_dict()
        except QuestionError as error:
            raise gr.Error(str(error)) from None

    with gr.Blocks(title=WORDS["en"]["title"], analytics_enabled=False) as chat:
        gr.api(ask_api, api_name="ask")  # first, so the name is not taken by a chat event
        language = gr.State("en")
        turns = gr.State([])
        header = gr.HTML(elem_classes="pa-header", visible=not compact)
        chatbot = gr.Chatbot(
            elem_id="pa-chat",
            show_label=False,
            height=360 if compact else 520,
            sanitize_html=True,
            feedback_options=("Like", "Dislike"),
            buttons=["copy"],
        )
        with gr.Row(equal_height=True):
            question = gr.Textbox(
                elem_id="pa-question",
                show_label=False,
                max_length=MAX_QUESTION_CHARS,
                scale=5,
                autofocus=not compact,
            )
            send = gr.Button("Ask", elem_id="pa-send", scale=1, min_width=80)
        with gr.Row(elem_classes="pa-examples"):
            examples = [gr.Button(size="sm", variant="secondary") for _ in range(3)]

        chat.load(
            start, None, [language, header, question, send, *examples], api_visibility="private"
        )
        inputs = [question, chatbot, turns, language]
        outputs = [chatbot, turns, question]
        question.submit(ask, inputs, outputs, api_visibility="private")
        send.click(ask, inputs, outputs, api_visibility="private")
        for example in examples:
            example.click(
                ask, [example, chatbot, turns, language], outputs, api_visibility="private"
            )
        chatbot.like(vote, turns, None, api_visibility="private")
        # the trash button empties the chat; forget its turns too, or votes would misalign
        chatbot.clear(lambda: [], None, turns, api_visibility="private")
    return chat
