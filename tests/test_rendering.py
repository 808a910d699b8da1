"""HTML for replies and the policy page: text stays text, spans are marked exactly."""

from __future__ import annotations

import html
import re
import string
import unicodedata

import pytest
from hypothesis import given
from hypothesis import strategies as st

from assistant.translations import (
    LANGUAGES,
    LOCALES,
    interface_language,
    language_notice,
    words,
)
from assistant.web.rendering import (
    marked_html,
    policy_link,
    policy_page_html,
    reply_html,
    text_html,
)


@given(st.text())
def test_escaped_text_has_no_markup_left_and_reads_the_same(text):
    escaped = text_html(text)
    bare = re.sub(r"&#\d+;", "", escaped)
    assert not set(bare) & set(string.punctuation + "\t\n\r\x0b\x0c")
    assert "  " not in escaped and not escaped.startswith(" ")  # no Markdown indentation
    expected = "".join(
        ch
        if ch == "\n"
        else " "
        if ch.isspace() or unicodedata.category(ch) in ("Cc", "Cs")
        else ch
        for ch in text
    )
    assert html.unescape(escaped) == expected


def test_markup_becomes_entities():
    escaped = text_html('<script>alert("x")</script> ![a](http://e.x/i.png) &amp;')
    assert "<" not in escaped and "[" not in escaped and "&amp;" not in escaped
    assert html.unescape(escaped) == '<script>alert("x")</script> ![a](http://e.x/i.png) &amp;'


def test_marks_wrap_exactly_their_spans():
    text = "One. Two three. Four."
    out = marked_html(text, 0, len(text), [(5, 15, "pa-answer")])
    assert html.unescape(re.sub(r"<[^>]+>", "", out)) == text
    assert re.search(r'<mark class="pa-answer">(.*?)</mark>', out).group(1) == "Two three&#46;"


def test_footnote_marks_become_superscripts():
    out = marked_html("AGERA[^1]), CGE", 0, 15, [])
    assert "<sup>1</sup>" in out and "^" not in html.unescape(re.sub(r"<[^>]+>", "", out))


def test_reply_marks_the_answer_sentence_inside_its_passage(assistant):
    answer = assistant.ask("How many foreign students does INSA Lyon welcome?")
    out = reply_html(answer, words("en"), "http://127.0.0.1:7860")
    marked = re.search(r'<mark class="pa-answer">(.*?)</mark>', out).group(1)
    assert html.unescape(marked) == answer.passages[0].highlight
    assert "Section: A worldwide influence" in html.unescape(re.sub(r"<[^>]+>", "", out))
    assert '<blockquote class="pa-passage" lang="en" dir="ltr">' in out
    assert policy_link("http://127.0.0.1:7860", answer.passages[0]) in out.replace("&amp;", "&")


def test_out_of_scope_reply_is_the_friendly_message(assistant):
    answer = assistant.ask("What will the weather be like tomorrow?")
    assert answer.outcome == "not_covered"
    out = reply_html(answer, words("fr"), "http://127.0.0.1:7860")
    assert "pa-outside" in out and "n&#39;aborde pas" in out
    assert "Combien d&#39;étudiants étrangers" in out  # the examples, in the visitor's language


def test_policy_page_marks_passage_and_answer_and_anchors_the_passage(assistant):
    passage = assistant.ask("What are the school's values?").passages[0]
    document = assistant.documents[passage.source]
    out = policy_page_html(
        passage.source,
        document,
        (passage.start, passage.end),
        (passage.highlight_start, passage.highlight_end),
    )
    assert out.count('id="passage"') == 1
    assert out.index('id="passage"') < out.index('class="pa-answer"')
    marked = re.search(r'<mark class="pa-answer">(.*?)</mark>', out).group(1)
    assert html.unescape(re.sub(r"<[^>]+>", "", marked)) == passage.highlight
    assert "<h2>" in out and "<sup>1</sup>" in out


def test_interface_language_follows_accept_language():
    assert interface_language("fr-FR,fr;q=0.9,en;q=0.8") == "fr"
    assert interface_language("de-DE,de;q=0.9,fr;q=0.5,en;q=0.7") == "de"
    assert interface_language("ja-JP,ko;q=0.9,pt-BR;q=0.5") == "pt"
    assert interface_language("zh-CN") == "zh"
    assert interface_language("ja") == "en"
    assert interface_language("") == "en"
    assert interface_language("en;q=0.2, fr;q=x, fr-CA;q=0.5") == "fr"
    assert interface_language("ar;q=0, es") == "es"


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_locale_file_has_every_string_and_placeholder(language):
    import json

    english = json.loads((LOCALES / "en.json").read_text(encoding="utf-8"))
    own = json.loads((LOCALES / f"{language}.json").read_text(encoding="utf-8"))
    assert set(own) == set(english)
    assert set(own["languages"]) <= set(english["languages"])
    assert {"ar", "de", "en", "es", "fr", "it", "ja", "ko", "pt", "ru", "zh"} <= set(
        own["languages"]
    )
    assert len(own["examples"]) == 3 and all(own["examples"])
    for key, text in english.items():
        if isinstance(text, str):
            assert set(re.findall(r"{\w*}", own[key])) == set(re.findall(r"{\w*}", text)), key
            assert own[key].count("{}") == text.count("{}"), key
    assert set(own["related"]) == set(english["related"])
    assert own["direction"] == ("rtl" if language == "ar" else "ltr")


def test_the_notice_names_the_language_in_the_visitors_language():
    assert language_notice("es", "fr").startswith("Su pregunta se entendió en francés.")
    assert language_notice("fr", "es").startswith("Votre question a été comprise en espagnol.")
    assert language_notice("en", "xx").startswith("Your question was understood.")


def test_a_redirect_shows_the_offices_message_as_text_and_its_link_in_a_new_tab():
    from assistant.answer import Answer

    answer = Answer(
        "Visa?",
        False,
        "en",
        "<b>Visas</b>: see [the page](javascript:alert(1)) <img src=x onerror=alert(1)>",
        (),
        outcome="not_covered",
        link='https://www.insa-lyon.fr/?a=1&b="><script>alert(1)</script>',
        curated_by="redirect-0123456789",
    )
    out = reply_html(answer, words("fr"), "http://127.0.0.1:7860")
    tags = re.findall(r"<(\w+)", out)
    assert set(tags) <= {"div", "p", "a"} and tags.count("a") == 1
    link = re.search(r"<a ([^>]*)>", out).group(1)
    assert 'target="_blank"' in link and 'rel="noopener noreferrer"' in link
    href = html.unescape(re.search(r'href="([^"]*)"', link).group(1))
    assert href == answer.link
    text = html.unescape(re.sub(r"<[^>]+>", "", out))
    assert answer.message in text and words("fr")["redirect_link"] in text


def test_a_pinned_answer_says_so_in_the_visitors_language(assistant):
    from dataclasses import replace

    answer = assistant.ask("How many foreign students does INSA Lyon welcome?")
    pinned = replace(answer, passages=(replace(answer.passages[0], pinned=True),))
    assert words("de")["pinned"] in html.unescape(reply_html(pinned, words("de"), "http://x"))
    assert words("de")["pinned"] not in html.unescape(reply_html(answer, words("de"), "http://x"))
