"""Answer a few questions at a time, the others in their order of arrival.

Does not answer anything itself: `Assistant.ask` holds a turn while it answers.
"""

from __future__ import annotations

import threading
from collections import deque


class TurnTaking:
    """Let `slots` threads in at once, the others in their order of arrival.

    A semaphore lets a newcomer take a slot freed while an older waiter is still waking up;
    under load that made a tenth of the answers twice as slow as the median. Here a freed
    slot goes straight to the longest waiter.
    """

    def __init__(self, slots: int) -> None:
        self._lock = threading.Lock()
        self._free = max(slots, 1)
        self._waiting: deque[threading.Event] = deque()

    def __enter__(self) -> None:
        with self._lock:
            if self._free and not self._waiting:
                self._free -= 1
                return
            turn = threading.Event()
            self._waiting.append(turn)
        turn.wait()

    @property
    def waiting(self) -> int:
        """How many threads are waiting for a turn."""
        with self._lock:
            return len(self._waiting)

    def __exit__(self, *_exc: object) -> None:
        with self._lock:
            if self._waiting:
                self._waiting.popleft().set()
            else:
                self._free += 1
