"""What an encoder is: texts in, L2-normalised float32 vectors out, and what it says of itself.

An encoder names its weights (`fingerprint`, so an index built with other weights is stale),
says whether it understands languages other than English, and how its cosines are rescaled to
be fused with other encoders'. One file per model: `minilm`, `e5`. Does not search: see
`retrieval.search`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from importlib import metadata
from pathlib import Path
from typing import Protocol, runtime_checkable

import numpy as np


class Encoder(Protocol):
    name: str
    dimension: int
    multilingual: bool  # understands questions in languages other than English
    # Cosines are rescaled as (cosine - floor) / span, so that every encoder's scores spread
    # over a comparable range before they are fused.
    score_floor: float
    score_span: float

    def fingerprint(self) -> str:
        """Identify the exact weights, so an index built with other weights is stale."""
        ...

    def encode_documents(self, texts: Sequence[str]) -> np.ndarray: ...

    def encode_queries(self, texts: Sequence[str]) -> np.ndarray: ...


@runtime_checkable
class ExportsQueryModel(Protocol):
    """An encoder that embeds questions with a lighter twin exported next to the index."""

    def export_query_model(self, folder: Path) -> None: ...

    def query_encoder(self, folder: Path) -> Encoder: ...


def package_fingerprint(distribution: str, weights: Path) -> str:
    return f"{distribution}=={metadata.version(distribution)}:{weights.stat().st_size}"


def multilingual_key(encoders: Mapping[str, Encoder]) -> str:
    """The key of the encoder that reads questions in any language."""
    return next(key for key, encoder in encoders.items() if encoder.multilingual)


def multilingual_encoder(encoders: Mapping[str, Encoder]) -> Encoder:
    """The encoder that reads questions in any language (groups them into topics, too)."""
    return encoders[multilingual_key(encoders)]


def scaled(encoder: Encoder, cosines: np.ndarray) -> np.ndarray:
    """Rescale an encoder's cosines onto the common range the signals are fused on."""
    if encoder.score_floor == 0.0 and encoder.score_span == 1.0:
        return cosines
    return (cosines - encoder.score_floor) / encoder.score_span
