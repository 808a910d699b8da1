"""Match misspelt and foreign words to the policy's own words, for BM25 only.

"misssions" finds "mission", "internationl" "international", and cognates one or two letters
away, such as "internacional" or "stratégie", find "international" and "strategy".
Symmetric deletion (as in SymSpell): every word of the policy is indexed under the strings it
gives with one letter removed, and a lookup removes up to two from the question's word, which
finds every word within one edit and most within two, in a few dictionary probes. Only BM25
sees the corrections: the encoders read the question as typed, so the off-policy test is never
fooled by a word bent into a policy word.
Does not correct words the policy already holds, very short or very long words, or numbers.
"""

from __future__ import annotations

from collections.abc import Iterable
from functools import lru_cache
from itertools import combinations

SHORTEST = 4  # shorter words have too many neighbours one letter away
LONG = 7  # from this length, two edits are allowed
LONGEST_TWO_EDITS = 15  # two deletions of an n-letter word are n² strings: kept cheap


def _deletions(word: str, edits: int) -> set[str]:
    found = {word}
    for count in range(1, edits + 1):
        for drop in combinations(range(len(word)), count):
            found.add("".join(ch for i, ch in enumerate(word) if i not in drop))
    return found


def distance(a: str, b: str) -> int:
    """Optimal string alignment distance (Levenshtein plus adjacent swaps)."""
    previous2: list[int] = []
    previous = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        current = [i]
        for j, cb in enumerate(b, 1):
            cost = 0 if ca == cb else 1
            value = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost)
            if i > 1 and j > 1 and ca == b[j - 2] and a[i - 2] == cb:
                value = min(value, previous2[j - 2] + 1)
            current.append(value)
        previous2, previous = previous, current
    return previous[-1]


class Speller:
    def __init__(self, vocabulary: Iterable[str]) -> None:
        self.vocabulary = frozenset(vocabulary)
        # a word longer than any of the policy's by more than two letters cannot match
        self.longest = max((len(word) for word in self.vocabulary), default=0) + 2
        self.correct = lru_cache(maxsize=8192)(self._correct)  # type: ignore[method-assign]
        self._by_deletion: dict[str, set[str]] = {}
        for word in self.vocabulary:
            if len(word) >= SHORTEST and word.isalpha():
                for variant in _deletions(word, 1):
                    self._by_deletion.setdefault(variant, set()).add(word)

    def correct(self, word: str) -> str:
        """Return the policy word `word` most likely stands for, or `word` itself."""
        return self._correct(word)  # replaced by a cached twin in __init__

    def _correct(self, word: str) -> str:
        if word in self.vocabulary or not SHORTEST <= len(word) <= self.longest:
            return word
        if not word.isalpha():
            return word
        allowed = 2 if LONG <= len(word) <= LONGEST_TWO_EDITS else 1
        candidates = set()
        for variant in _deletions(word, allowed):
            candidates |= self._by_deletion.get(variant, set())
        scored = sorted(
            (distance(word, candidate), candidate)
            for candidate in candidates
            if abs(len(candidate) - len(word)) <= allowed
        )
        if scored and scored[0][0] <= allowed:
            return scored[0][1]
        return word
