"""Read saved numpy arrays safely from several threads at once.

`Assistant.load` opens the index, the language tables and the models side by side. numpy
parses each `.npy` header with `ast.literal_eval`, and on Python 3.11 two threads doing that
at the same time can fail with "AST constructor recursion depth mismatch" (seen in the test
suite). Every load goes through one lock; with `mmap` only the header is read under it.
"""

from __future__ import annotations

import threading
from pathlib import Path

import numpy as np

_HEADERS = threading.Lock()


def load_array(path: Path, *, mmap: bool = False) -> np.ndarray:
    """Return the array saved at `path`, mapped read-only if `mmap`, never unpickled."""
    with _HEADERS:
        array = np.load(path, mmap_mode="r" if mmap else None, allow_pickle=False)
    # a plain array over the mapping: memmap's own indexing costs more than a lookup
    return np.asarray(array)


def load_arrays(path: Path) -> dict[str, np.ndarray]:
    """Return every array of the `.npz` file at `path`, read into memory."""
    with _HEADERS, np.load(path, allow_pickle=False) as saved:
        return {name: saved[name] for name in saved.files}
