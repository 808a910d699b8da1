"""Match misspelt and foreign words to the policy's own words, for BM25 only.

"misssions" finds "missions", "internationl" "international", and cognates such as
"estrategia" or "internacional" find "strategy" and "international". Symmetric deletion
(as in SymSpell): every word of the policy is indexed under the strings it gives with one or
two letters removed, so a lookup is a few dictionary probes, not a scan of the vocabulary.
The index holds one-letter deletions and a lookup tries up to two, which finds every word
within one edit and most within two, and builds in milliseconds. Only BM25 sees the
corrections: the encoders read the question as typed, so the off-policy
test is never fooled by a word bent into a policy word.
Does not correct words the policy already holds, very short or very long words, or numbers.
"""

from __future__ import annotations

from collections.abc import Iterable
from itertools import combinations

SHORTEST = 4  # shorter words have too many neighbours one letter away
LONG = 7  # from this length, two edits are allowed
# No word of a policy is longer; and two deletions of an n-letter word are n² strings, so a
# 1,000-letter "word" in a question would cost seconds.
LONGEST = 30


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
        self._by_deletion: dict[str, set[str]] = {}
        for word in self.vocabulary:
            if len(word) >= SHORTEST and word.isalpha():
                for variant in _deletions(word, 1):
                    self._by_deletion.setdefault(variant, set()).add(word)

    def correct(self, word: str) -> str:
        """Return the policy word `word` most likely stands for, or `word` itself."""
        if word in self.vocabulary or not SHORTEST <= len(word) <= LONGEST or not word.isalpha():
            return word
        allowed = 2 if len(word) >= LONG else 1
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
