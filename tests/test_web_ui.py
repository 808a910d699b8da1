"""The chat in a real browser (Debian's Chromium driven by Playwright) against a real server.

Screenshots of the chat and of the iframe host page are kept in tests/artifacts/.
"""

from __future__ import annotations

import http.server
import threading
import time
from pathlib import Path

import pytest
from playwright.sync_api import expect

from assistant.config import PROJECT_ROOT

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage"]
ARTIFACTS = PROJECT_ROOT / "tests" / "artifacts"
QUESTION = "#pa-question textarea"


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright

    if not CHROMIUM.exists():
        pytest.fail("Chromium is missing: run `make test`, which installs it with apt-get.")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=str(CHROMIUM),
            args=CHROMIUM_ARGS,
        )
        yield browser
        browser.close()


@pytest.fixture
def page(browser):
    context = browser.new_context(locale="en-GB", viewport={"width": 1000, "height": 900})
    page = context.new_page()
    page.set_default_timeout(30_000)
    yield page
    context.close()


def wait_until_ready(root) -> None:
    """Wait for the chat's start event (it sets the interface language) before typing."""
    expect(root.locator("html[data-pa-ready]")).to_have_count(1, timeout=30_000)


def ask(page, question: str) -> None:
    wait_until_ready(page)
    replies = page.locator(".pa-reply").count()
    page.fill(QUESTION, question)
    page.keyboard.press("Enter")
    page.locator(".pa-reply").nth(replies).wait_for()


def votes_on(feedback, question: str) -> list[dict]:
    """Wait (up to 10 s) for votes on `question` to reach the database; return them."""
    deadline = time.monotonic() + 10
    while True:
        votes = [v for v in feedback.votes() if v["question"] == question]
        if votes or time.monotonic() > deadline:
            return votes
        time.sleep(0.1)


def screenshot(page, name: str) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / name), full_page=True)


def test_reply_shows_the_answer_sentence_emphasised_and_its_section(live, page):
    page.goto(live.url + "/")
    ask(page, "How many foreign students does INSA Lyon welcome?")

    reply = page.locator(".pa-reply").last
    assert "1900 foreign students" in reply.locator("mark.pa-answer").inner_text()
    assert reply.locator(".pa-section").inner_text() == "Section: A worldwide influence"
    # the corpus may hold several documents: the reply names the one it quotes, and its version
    assert (
        reply.locator(".pa-document").inner_text() == "Document: International policy (2026-11-28)"
    )
    screenshot(page, "chat.png")


def test_link_opens_the_policy_with_the_passage_highlighted(live, page):
    page.goto(live.url + "/")
    ask(page, "What are the school's values?")

    with page.context.expect_page() as opened:
        page.locator(".pa-reply a.pa-link").last.click()
    policy = opened.value
    policy.wait_for_load_state()
    assert policy.url.endswith("#passage")
    answer = policy.locator("mark.pa-answer")
    assert "humanism, culture, diversity" in answer.inner_text()
    assert answer.is_visible() and policy.locator("h2").count() >= 3
    box, height = answer.bounding_box(), policy.viewport_size["height"]
    assert box is not None and 0 <= box["y"] < height  # scrolled to the passage
    screenshot(policy, "policy-page.png")


def test_a_thumb_vote_lands_in_the_database(live, page):
    page.goto(live.url + "/")
    ask(page, "What is the CDEFI?")

    page.locator("#pa-chat button[aria-label='Like']").last.click()

    votes = votes_on(live.feedback, "What is the CDEFI?")
    assert [v["vote"] for v in votes] == ["up"]
    assert votes[0]["passages"][0]["source"] == "corpus/insa-lyon-international-policy.md"
    assert set(votes[0]) == {"reply_id", "question", "passages", "vote", "voted_at"}


def test_a_follow_up_uses_the_earlier_question_and_clearing_starts_afresh(live, page):
    page.goto(live.url + "/")
    ask(page, "What is the CDEFI?")
    ask(page, "And the CGE?")
    assert "Grandes Ecoles" in page.locator(".pa-reply mark.pa-answer").last.inner_text()

    page.locator("#pa-chat button[aria-label='Clear']").click()
    expect(page.locator(".pa-reply")).to_have_count(0)
    ask(page, "What are the school's values?")
    page.locator("#pa-chat button[aria-label='Dislike']").last.click()
    assert [v["vote"] for v in votes_on(live.feedback, "What are the school's values?")] == ["down"]


def test_out_of_scope_reply_is_friendly_and_suggests_questions(live, page):
    page.goto(live.url + "/")
    ask(page, "What will the weather be like tomorrow?")

    reply = page.locator(".pa-reply").last
    assert "does not say anything about that" in reply.inner_text()
    assert "“What is the CDEFI?”" in reply.inner_text()
    assert page.get_by_role("button", name="What is the CDEFI?").is_visible()


def test_related_passages_are_shown_apart_from_an_answer(live, browser):
    context = browser.new_context(locale="fr-FR")
    page = context.new_page()
    page.goto(live.url + "/")
    ask(page, "Who is the director of INSA Lyon?")
    reply = page.locator(".pa-reply").last
    expect(reply.locator(".pa-related-heading")).to_have_text(
        "Pas une réponse : les passages les plus proches dans la politique"
    )
    assert "pa-answer" not in reply.inner_html()  # no sentence is marked as the answer
    links = reply.locator(".pa-others a")
    assert links.count() == 3
    assert "noopener" in (links.first.get_attribute("rel") or "")
    assert reply.locator(".pa-others li").first.get_attribute("lang") == "en"
    context.close()


def test_small_talk_gets_a_short_friendly_reply_with_examples(live, page):
    page.goto(live.url + "/")
    ask(page, "thanks, that was helpful!")
    reply = page.locator(".pa-reply").last
    assert reply.inner_text().startswith("Hello!") and "“What is the CDEFI?”" in reply.inner_text()
    assert reply.locator("blockquote").count() == 0


def test_french_browser_gets_a_french_interface(live, browser):
    context = browser.new_context(locale="fr-FR")
    page = context.new_page()
    page.goto(live.url + "/")
    wait_until_ready(page)
    page.get_by_role("button", name="Quelles sont les valeurs de l'école ?").click()
    page.locator(".pa-reply").first.wait_for()

    reply = page.locator(".pa-reply").first
    assert "humanism, culture" in reply.locator("mark.pa-answer").inner_text()
    assert "Voir ce passage dans la politique" in reply.inner_text()
    assert page.locator(QUESTION).get_attribute("placeholder", timeout=5000).startswith("Posez")
    context.close()


def test_markup_in_a_question_is_shown_as_text_and_never_runs(live, page):
    page.goto(live.url + "/")
    question = (
        '<img src=x onerror="window.pwned=1"><script>window.pwned=2</script> '
        "![x](http://127.0.0.1:9/x.png) [link](javascript:alert(1)) &amp; values?"
    )
    ask(page, question)

    chat = page.locator("#pa-chat")
    assert question in chat.inner_text()
    assert chat.locator("img, script, a[href^='javascript']").count() == 0
    assert page.evaluate("window.pwned") is None


def test_phone_width_has_no_sideways_scrolling(live, browser):
    context = browser.new_context(viewport={"width": 400, "height": 800})
    page = context.new_page()
    page.goto(live.url + "/embed/")
    ask(page, "How many foreign students does INSA Lyon welcome?")
    assert page.evaluate("document.scrollingElement.scrollWidth") <= 400
    screenshot(page, "embed-400px.png")
    context.close()


class HostPage:
    """A page of 'the school's site', on its own port, that embeds the chat in an iframe."""

    def __init__(self) -> None:
        self.app_url = ""
        outer = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                body = (
                    "<!doctype html><meta charset=utf-8><title>School page</title>"
                    "<h1>International students</h1><p>Ask our policy assistant:</p>"
                    f'<iframe id="chat" src="{outer.app_url}/embed/" width="400" height="640" '
                    'style="border:1px solid #ccc"></iframe>'
                ).encode()
                self.send_response(200)
                self.send_header("Content-Type", "text/html; charset=utf-8")
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args: object) -> None:
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.origin = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()


@pytest.fixture(scope="module")
def host_page():
    host = HostPage()
    yield host
    host.server.shutdown()


def test_chat_works_inside_an_iframe_of_an_allowed_origin(start_server, host_page, page):
    app = start_server(embed_origins=[host_page.origin])
    host_page.app_url = app.url
    page.goto(host_page.origin + "/")
    frame = page.frame_locator("#chat")
    wait_until_ready(frame)
    frame.locator(QUESTION).fill("What is the CDEFI?")
    frame.locator(QUESTION).press("Enter")
    try:
        reply = frame.locator(".pa-reply mark.pa-answer")
        reply.wait_for(timeout=60_000)
        assert "Directeurs" in reply.inner_text()
    finally:
        screenshot(page, "iframe-host-page.png")


def test_browser_refuses_to_frame_for_another_origin(start_server, host_page, page):
    app = start_server(embed_origins=["https://www.insa-lyon.fr"])
    host_page.app_url = app.url
    page.goto(host_page.origin + "/")
    page.locator("#chat").wait_for()
    page.wait_for_timeout(2000)  # give a framed app ample time to appear if it were allowed

    frame = next(f for f in page.frames if f != page.main_frame)
    assert frame.locator(QUESTION).count() == 0
    assert frame.url.startswith("chrome-error://") or frame.url in ("", "about:blank")


HOSTILE = (
    "Partner universities exchange students every year through hostile markup: "
    '<script>window.pwned = 1</script> <img src=x onerror="window.pwned = 2"> '
    "![tracker](http://127.0.0.1:9/pixel.png) [click](javascript:window.pwned=3) "
    '&amp; <b>bold</b> <iframe src="http://127.0.0.1:9/"></iframe>.\n'
)


@pytest.fixture(scope="module")
def hostile_server(start_server, tmp_path_factory):
    """A server whose corpus contains markup, as a hand-edited file might."""
    from assistant.indexing.build import build_index
    from assistant.retrieval.recipe import default_recipe
    from tests.conftest import make_settings

    settings = make_settings(tmp_path_factory.mktemp("hostile"))
    (settings.corpus_dir / "hostile.md").write_text(
        "---\ntitle: Hostile notice\n---\n\n# Exchanges\n\n" + HOSTILE, encoding="utf-8"
    )
    build_index(settings.corpus_dir, settings.index_dir, default_recipe(settings.corpus_dir))
    return start_server(settings=settings)


def test_markup_in_the_corpus_is_shown_as_text_in_chat_and_policy_page(hostile_server, page):
    requests: list[str] = []
    page.on("request", lambda request: requests.append(request.url))
    page.goto(hostile_server.url + "/")
    ask(page, "Do partner universities exchange students every year?")
    chat = page.locator("#pa-chat")
    assert "<script>window.pwned = 1</script>" in chat.inner_text()
    assert chat.locator("img, script, iframe, b, a[href^='javascript']").count() == 0

    page.goto(hostile_server.url + "/policy?source=corpus/hostile.md")
    body = page.locator("main")
    assert '<img src=x onerror="window.pwned = 2">' in body.inner_text()
    assert body.locator("img, script, iframe, b, a").count() == 0
    assert page.evaluate("window.pwned") is None
    assert not any(":9/" in url for url in requests)  # nothing was fetched from the markup


def test_empty_and_overlong_questions_in_the_chat_get_a_clear_reply(live, page):
    page.goto(live.url + "/")
    wait_until_ready(page)
    page.locator("#pa-send").click()
    page.locator(".pa-error").first.wait_for()
    assert "The question is empty" in page.locator(".pa-error").first.inner_text()

    page.fill(QUESTION, "What is the CDEFI? " + "x" * 100_000)
    assert len(page.locator(QUESTION).input_value()) == 1000  # the box stops at the limit
    page.keyboard.press("Enter")
    expect(page.locator(".pa-reply")).to_have_count(2)


@pytest.mark.parametrize(
    "question",
    [
        "\x00What\x07 is\x1b[31m the CDEFI?",
        "ما هي قيم المدرسة؟",
        "What is the CDEFI? 🎓🇫🇷",
        "CDEFI とは何ですか？ And AGERA?",
    ],
)
def test_nasty_questions_in_the_chat_get_a_reply(live, page, question):
    page.goto(live.url + "/")
    ask(page, question)
    assert page.locator(".pa-reply").last.inner_text().strip()


@pytest.fixture(scope="module")
def broken_votes_server(start_server, tmp_path_factory):
    unwritable = tmp_path_factory.mktemp("broken") / "votes.sqlite3"
    unwritable.mkdir()  # a folder where the database should be: every write fails
    return start_server(feedback_path=unwritable)


def reply_within(page, number: int, seconds: float = 5) -> None:
    """Wait for the `number`-th reply (from 0); fail if it is later than `seconds`."""
    page.locator(".pa-reply").nth(number).wait_for(timeout=seconds * 1000)


def ask_now(page, question: str) -> None:
    """Ask straight away, without waiting for anything, as a quick visitor does."""
    page.fill(QUESTION, question)
    page.keyboard.press("Enter")


# Each vote sequence is (reply number, thumb) clicks after two replies; then a new question.
VOTES = {
    "up": [(1, "Like")],
    "down": [(1, "Dislike")],
    "changed": [(1, "Like"), (1, "Dislike")],
    "on an older reply": [(0, "Dislike")],
}


@pytest.mark.parametrize("store", ["working", "broken"])
@pytest.mark.parametrize("votes", VOTES, ids=list(VOTES))
def test_voting_then_asking_again_always_gets_a_reply(request, live, page, votes, store):
    server = live if store == "working" else request.getfixturevalue("broken_votes_server")
    before = {v["reply_id"] for v in server.feedback.votes()} if store == "working" else set()
    page.goto(server.url + "/")
    ask(page, "What is the CDEFI?")
    ask(page, "What are the school's values?")
    for reply, thumb in VOTES[votes]:
        page.locator(f"#pa-chat .message-wrap button[aria-label='{thumb}']").nth(reply).click()
    ask_now(page, "How many foreign students does INSA Lyon welcome?")
    reply_within(page, 2)
    assert "1900" in page.locator(".pa-reply").nth(2).inner_text()
    if store == "working":
        expected = {"up": "up", "down": "down", "changed": "down", "on an older reply": "down"}
        question = ["What is the CDEFI?", "What are the school's values?"][VOTES[votes][0][0]]
        deadline = time.monotonic() + 10
        while True:
            new = [v for v in server.feedback.votes() if v["reply_id"] not in before]
            if [v["vote"] for v in new] == [expected[votes]] or time.monotonic() > deadline:
                break
            time.sleep(0.1)
        assert [(v["question"], v["vote"]) for v in new] == [(question, expected[votes])]


QUICK_QUESTIONS = [
    ("What is the CDEFI?", "INSA Lyon integrated in networks"),
    ("What are the school's values?", "An internationalisation process"),
    ("How many foreign students does INSA Lyon welcome?", "A worldwide influence"),
]


@pytest.mark.parametrize("gap_ms", [20, 50])
def test_questions_sent_in_quick_succession_are_all_answered_in_order(live, page, gap_ms):
    """None is dropped while another is pending, none overwrites another, the order holds,
    and what the visitor types meanwhile stays in the box."""
    page.goto(live.url + "/")
    wait_until_ready(page)
    for question, _ in QUICK_QUESTIONS:
        ask_now(page, question)
        page.wait_for_timeout(gap_ms)
    page.fill(QUESTION, "half-typed")
    expect(page.locator(".pa-reply")).to_have_count(len(QUICK_QUESTIONS), timeout=5000)
    shown = page.locator("#pa-chat [data-testid='user']").all_inner_texts()
    assert [text.strip() for text in shown] == [question for question, _ in QUICK_QUESTIONS]
    sections = page.locator(".pa-reply .pa-section").all_inner_texts()
    for section, (_, expected) in zip(sections, QUICK_QUESTIONS, strict=True):
        assert expected in section
    assert page.locator(QUESTION).input_value() == "half-typed"


def test_example_questions_clicked_in_quick_succession_are_all_answered(live, page):
    page.goto(live.url + "/")
    wait_until_ready(page)
    from assistant.translations import words

    examples = page.locator(".pa-examples button")
    names = examples.all_inner_texts()
    language = page.evaluate("document.documentElement.lang")
    assert [name.strip() for name in names] == list(words(language)["examples"])
    for number in range(len(names)):
        examples.nth(number).click()
    expect(page.locator(".pa-reply")).to_have_count(len(names), timeout=5000)
    shown = page.locator("#pa-chat [data-testid='user']").all_inner_texts()
    assert [text.strip() for text in shown] == [name.strip() for name in names]


LOCALES = {
    "fr-FR": ("fr", "ltr"),
    "en-GB": ("en", "ltr"),
    "es-ES": ("es", "ltr"),
    "de-DE": ("de", "ltr"),
    "it-IT": ("it", "ltr"),
    "pt-BR": ("pt", "ltr"),
    "zh-CN": ("zh", "ltr"),
    "ar-EG": ("ar", "rtl"),
    "ja-JP": ("en", "ltr"),  # no Japanese interface: English, and the page says so
}


@pytest.mark.parametrize("locale", LOCALES)
def test_the_interface_speaks_the_visitors_language(live, browser, locale):
    from assistant.translations import words

    language, direction = LOCALES[locale]
    table = words(language)
    context = browser.new_context(locale=locale)
    page = context.new_page()
    page.goto(live.url + "/")
    wait_until_ready(page)
    expect(page.locator("html")).to_have_attribute("lang", language)
    expect(page.locator("html")).to_have_attribute("dir", direction)
    assert page.locator(".pa-header h1").inner_text() == table["title"]
    assert page.locator(QUESTION).get_attribute("placeholder") == table["placeholder"]
    assert page.locator("#pa-send").inner_text().strip() == table["send"]
    page.get_by_role("button", name=table["examples"][1]).click()
    reply = page.locator(".pa-reply").first
    reply.wait_for()
    assert "humanism" in reply.locator("mark.pa-answer").inner_text()
    assert reply.locator("blockquote").get_attribute("lang") == "en"
    if language != "en":  # the notice names the question's language in the visitor's
        name = table["languages"][language]
        assert table["notice"].format(language=name) in reply.inner_text()
    context.close()


WCAG = {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21aa", "wcag22aa"]}


@pytest.mark.parametrize(
    "path, locale, question",
    [
        ("/", "en-GB", "What is the CDEFI?"),
        ("/", "en-GB", "What will the weather be like tomorrow?"),
        ("/", "en-GB", "Who is the director of INSA Lyon?"),
        ("/", "fr-FR", "Quelles sont les valeurs de l'école ?"),
        ("/embed/", "en-GB", "What is the CDEFI?"),
        ("/embed/", "en-GB", "What will the weather be like tomorrow?"),
        ("/embed/", "de-DE", "Wer leitet die INSA Lyon?"),
        ("/embed/", "fr-FR", "Quelles sont les valeurs de l'école ?"),
        ("/embed/", "ar-EG", "ما هي قيم المدرسة؟"),
    ],
)
def test_no_wcag_violations_in_the_chat(live, browser, path, locale, question):
    from axe_playwright_python.sync_playwright import Axe

    context = browser.new_context(locale=locale)
    page = context.new_page()
    page.goto(live.url + path)
    ask(page, question)
    result = Axe().run(page, options={"runOnly": WCAG})
    context.close()
    assert result.violations_count == 0, result.generate_report()


def test_no_wcag_violations_on_the_policy_page(live, page):
    from axe_playwright_python.sync_playwright import Axe

    page.goto(live.url + "/policy?start=2789&end=3021&answer_start=2789&answer_end=3021")
    result = Axe().run(page, options={"runOnly": WCAG})
    assert result.violations_count == 0, result.generate_report()


def test_the_compact_view_has_a_level_one_heading(live, page):
    page.goto(live.url + "/embed/")
    wait_until_ready(page)
    assert page.get_by_role("heading", level=1).count() == 1


SOAK_SESSIONS, SOAK_BROWSERS, SOAK_LIMIT_S = 200, 2, 1200


def soak_sessions(
    url: str, sessions: range, times: list[float], failures: list[str], deadline: float
) -> None:
    """Run browser sessions one after another: each page load is a new chat session.

    The pages share one browser context, so Gradio's scripts come from the HTTP cache after
    the first load, as for a returning visitor; the chat state is per page, not per context.
    """
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        context = browser.new_context(locale="en-GB")
        for number in sessions:
            if time.monotonic() > deadline:
                failures.append(f"session {number}: not started, the soak ran out of time")
                continue
            page = context.new_page()
            try:
                page.goto(url + "/")
                wait_until_ready(page)
                for turn, (question, thumb) in enumerate(
                    [("What is the CDEFI?", "Dislike"), ("What are the school's values?", "Like")]
                ):
                    began = time.monotonic()
                    ask_now(page, question)
                    reply_within(page, turn)
                    times.append(time.monotonic() - began)
                    page.locator(f"#pa-chat button[aria-label='{thumb}']").last.click()
                began = time.monotonic()
                ask_now(page, "How many foreign students does INSA Lyon welcome?")
                reply_within(page, 2)
                times.append(time.monotonic() - began)
            except Exception as error:  # counted, and the soak goes on
                failures.append(f"session {number}: {type(error).__name__}: {error}"[:300])
            finally:
                page.close()
        context.close()
        browser.close()


def test_soak_two_hundred_sessions_ask_vote_and_ask_again(start_server):
    """200 browser sessions against one real server of their own, each asking, voting and
    asking again; no reply may take more than 5 s. Bounded: 20 minutes at most."""
    server = start_server()
    times: list[float] = []
    failures: list[str] = []
    deadline = time.monotonic() + SOAK_LIMIT_S
    workers = [
        threading.Thread(
            target=soak_sessions,
            args=(server.url, range(n, SOAK_SESSIONS, SOAK_BROWSERS), times, failures, deadline),
        )
        for n in range(SOAK_BROWSERS)
    ]
    began = time.monotonic()
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()  # each stops starting sessions at the deadline
    took = time.monotonic() - began
    assert not failures, failures[:5]
    times.sort()
    print(
        f"soak: {len(times)} replies in {took:.0f} s, median {times[len(times) // 2]:.2f} s, "
        f"slowest {times[-1]:.2f} s, {len(failures)} failed sessions"
    )
    assert len(times) == 3 * SOAK_SESSIONS and times[-1] < 5


FOCUSED = """() => {
  const e = document.activeElement;
  const s = getComputedStyle(e);
  const visible = (s.outlineStyle !== "none" && parseFloat(s.outlineWidth) > 0)
    || (s.boxShadow && s.boxShadow !== "none");
  return {tag: e.tagName, label: e.getAttribute("aria-label") || "",
          link: e.classList.contains("pa-link"), visible};
}"""


def tab_to(page, wanted, presses: int = 60) -> None:
    """Press Tab until `wanted(focused)` holds; every focused control shows its focus."""
    for _ in range(presses):
        page.keyboard.press("Tab")
        focused = page.evaluate(FOCUSED)
        if focused["tag"] != "BODY":
            assert focused["visible"], f"focus not visible on {focused}"
        if wanted(focused):
            return
    raise AssertionError("not reachable with Tab")


def test_keyboard_alone_asks_votes_and_opens_the_policy(live, page):
    before = {v["reply_id"] for v in live.feedback.votes()}
    page.goto(live.url + "/")
    wait_until_ready(page)
    tab_to(page, lambda f: f["tag"] == "TEXTAREA")
    page.keyboard.type("What is the CDEFI?")
    page.keyboard.press("Enter")
    reply_within(page, 0)

    tab_to(page, lambda f: f["label"] == "Like")
    page.keyboard.press("Space")
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        new = [v for v in live.feedback.votes() if v["reply_id"] not in before]
        if new:
            break
        time.sleep(0.1)
    assert [(v["question"], v["vote"]) for v in new] == [("What is the CDEFI?", "up")]

    tab_to(page, lambda f: f["link"])
    with page.context.expect_page() as opened:
        page.keyboard.press("Enter")
    policy = opened.value
    policy.wait_for_load_state()
    assert "Directeurs" in policy.locator("mark.pa-answer").inner_text()


def test_a_new_reply_is_announced_once(live, page):
    """The chat log is a polite live region; a new reply is added to it, and the earlier
    ones are left in place, so a screen reader reads only the new one."""
    page.goto(live.url + "/")
    ask(page, "What is the CDEFI?")
    log = page.locator("[role=log][aria-live=polite]")
    assert log.count() == 1 and log.get_attribute("aria-atomic") in (None, "false")
    page.evaluate(
        """() => {
          window.paAdded = [];
          new MutationObserver(records => records.forEach(r => r.addedNodes.forEach(
            n => window.paAdded.push(n.textContent || "")))).observe(
              document.querySelector("[role=log]"), {childList: true, subtree: true});
        }"""
    )
    ask(page, "What are the school's values?")
    added = " ".join(page.evaluate("window.paAdded"))
    assert "humanism" in added  # the new reply was added to the live region…
    assert "Directeurs" not in added  # …and the earlier one was not added again


def test_the_chat_says_questions_are_kept_and_logs_each_door(live, browser):
    french = browser.new_context(locale="fr-FR")
    page = french.new_page()
    page.goto(live.url + "/embed/")
    wait_until_ready(page)
    expect(page.locator("#pa-log-notice")).to_contain_text("conservées anonymement pendant 90")
    ask(page, "Quelles sont les valeurs ? écrivez-moi : zoe.martin@etu.insa-lyon.fr")
    french.close()
    english = browser.new_context(locale="en-GB")
    page = english.new_page()
    page.goto(live.url + "/")
    wait_until_ready(page)
    expect(page.locator("#pa-log-notice")).to_contain_text("kept anonymously for 90 days")
    ask(page, "What is the CDEFI? call me on +33 6 12 34 56 78")
    english.close()
    rows = {row["question"]: row for row in live.feedback.questions()}
    embedded = rows["Quelles sont les valeurs ? écrivez-moi : [email]"]
    assert embedded["door"] == "embed" and embedded["language"] == "fr"
    assert rows["What is the CDEFI? call me on [phone]"]["door"] == "chat"
    assert not any("zoe.martin" in question for question in rows)


REPORT_QUESTIONS = [
    "What are the school's values?",
    "What is the CDEFI? my e-mail is li.wei@163.com",
    "How much is the rent in the student residences?",
    "Combien coûte un logement étudiant ?",
    "Quelles sont les valeurs de l'école ?",
    "hello",
    "Which networks is INSA Lyon part of?",
    "Can I get a visa appointment? My phone is 06 12 34 56 78",
    "¿Cuánto cuesta el alojamiento?",
    "How many foreign students does INSA Lyon welcome?",
]


def test_ten_chat_questions_two_votes_and_the_report_shows_them(
    start_server, browser, tmp_path, use_built
):
    from axe_playwright_python.sync_playwright import Axe

    from assistant.cli import main

    feedback = tmp_path / "votes.sqlite3"
    server = start_server(feedback_path=feedback)
    context = browser.new_context(locale="en-GB", viewport={"width": 1000, "height": 900})
    page = context.new_page()
    page.goto(server.url + "/")
    for question in REPORT_QUESTIONS:
        ask(page, question)
        if question.startswith("How much is the rent"):
            page.locator("#pa-chat button[aria-label='Dislike']").last.click()
        if question.startswith("What are the school's values"):
            page.locator("#pa-chat button[aria-label='Like']").last.click()
    assert [v["vote"] for v in votes_on(server.feedback, "What are the school's values?")] == ["up"]
    rent = votes_on(server.feedback, "How much is the rent in the student residences?")
    assert [v["vote"] for v in rent] == ["down"]
    out = tmp_path / "report.html"
    assert main(["report", "--out", str(out), "--feedback-db", str(feedback)]) == 0

    page.goto(out.as_uri())
    expect(page.locator("h1")).to_have_text("What students asked")
    cards = page.locator(".cards li").first
    expect(cards).to_contain_text("10")
    expect(page.locator("svg")).to_have_count(2)
    disliked = page.locator("h2:has-text('Disliked replies') + table")
    expect(disliked).to_contain_text("How much is the rent in the student residences?")
    topics = page.locator("h2:has-text('could not answer') ~ table").first
    expect(topics).to_contain_text("logement")
    body = page.locator("body").inner_text()
    assert "[email]" in body and "[phone]" in body and "li.wei" not in body
    screenshot(page, "report.png")
    result = Axe().run(page, options={"runOnly": WCAG})
    context.close()
    assert result.violations_count == 0, result.generate_report()


def test_admin_signs_in_with_the_form_and_shows_the_live_report(start_server, browser):
    import secrets

    token = secrets.token_urlsafe(24)
    server = start_server(env={"ASSISTANT_ADMIN_TOKEN": token})
    context = browser.new_context(locale="en-GB", viewport={"width": 1000, "height": 900})
    page = context.new_page()
    page.goto(server.url + "/")
    ask(page, "Combien coûte un logement étudiant ?")
    page.goto(server.url + "/admin")
    page.fill("#token", "not the token at all")
    page.click("button[type=submit]")
    expect(page.locator(".error")).to_have_text("That token is not valid.")
    page.fill("#token", token)
    page.click("button[type=submit]")
    expect(page.locator("h1")).to_have_text("What students asked")
    expect(page.locator("body")).to_contain_text("Combien coûte un logement étudiant ?")
    cookie = next(c for c in context.cookies() if c["name"] == "pa_admin")
    assert cookie["httpOnly"] and cookie["sameSite"] == "Strict"
    screenshot(page, "admin.png")
    page.click("text=Sign out")
    expect(page.locator("h1")).to_have_text("Sign in")
    context.close()
