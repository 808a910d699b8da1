"""A page's conversation on the server: turns in the order sent, none lost or overwritten."""

from __future__ import annotations

import copy
import threading
import time

from assistant.web.conversation import Conversation, Turn


def reply_to(question: str, seen: dict[str, list[str]], hold: threading.Event | None = None):
    def reply(earlier: list[str]) -> tuple[str, str, Turn]:
        seen[question] = earlier
        if hold is not None:
            hold.wait(5)
        return question, f"reply to {question}", Turn(f"id-{question}", question)

    return reply


def test_questions_sent_at_once_are_answered_in_their_order_and_the_last_reply_shows_all():
    conversation = Conversation()
    seen: dict[str, list[str]] = {}
    shown: dict[str, list | None] = {}
    questions = [f"q{n}" for n in range(6)]
    everyone_sent = threading.Event()  # the first reply takes until all are sent

    def send(question: str) -> None:
        hold = everyone_sent if question == questions[0] else None
        shown[question] = conversation.answer_next(reply_to(question, seen, hold))

    threads = []
    for question in questions:
        threads.append(threading.Thread(target=send, args=(question,)))
        threads[-1].start()
        time.sleep(0.02)  # sent one after the other
    everyone_sent.set()
    for thread in threads:
        thread.join()
    assert [seen[q] for q in questions] == [questions[:n] for n in range(len(questions))]
    # a reply with a later question waiting is not sent alone; the last one brings every turn
    assert all(shown[q] is None for q in questions[:-1])
    last = shown[questions[-1]]
    assert last is not None
    assert [m["content"] for m in last if m["role"] == "user"] == questions


def test_a_reply_alone_shows_every_turn_so_far_and_votes_find_their_turn():
    conversation = Conversation()
    seen: dict[str, list[str]] = {}
    conversation.answer_next(reply_to("first", seen))
    messages = conversation.answer_next(reply_to("second", seen))
    assert messages is not None
    contents = [m["content"] for m in messages]
    assert contents == ["first", "reply to first", "second", "reply to second"]
    assert conversation.turn_of(3) == Turn("id-second", "second")
    assert conversation.turn_of(0) == Turn("id-first", "first")
    assert conversation.turn_of(4) is None and conversation.turn_of(-1) is None
    conversation.clear()
    assert conversation.turn_of(1) is None
    assert conversation.answer_next(reply_to("third", seen)) is not None
    assert seen["third"] == []


def test_each_session_gets_a_conversation_of_its_own():
    template = Conversation()
    first, second = copy.deepcopy(template), copy.deepcopy(template)
    first.answer_next(reply_to("mine", {}))
    assert first is not second and first is not template
    assert second.turn_of(0) is None and template.turn_of(0) is None


def test_a_long_conversation_keeps_its_newest_turns_and_votes_still_align(monkeypatch):
    import assistant.web.conversation as module

    monkeypatch.setattr(module, "MAX_TURNS", 3)
    conversation = Conversation()
    for n in range(5):
        messages = conversation.answer_next(reply_to(f"q{n}", {}))
    assert messages is not None
    assert [m["content"] for m in messages if m["role"] == "user"] == ["q2", "q3", "q4"]
    assert conversation.turn_of(1) == Turn("id-q2", "q2")  # the chat's second message
    assert conversation.add_now("…", "refused") is not None
    assert conversation.turn_of(5) == Turn()  # a refusal: nothing to vote on
