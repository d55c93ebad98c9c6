"""A sentence-transformers model run by ONNX Runtime: same vectors, a fraction of the time.

Search encodes one short query per demand, and on two cores the torch encoder's thread pool
is the slowest part of a search (and degrades badly when the machine is busy: measured 23 ms
idle, ~1 s under load, against ~5 ms and ~50 ms for ONNX Runtime; docs/BENCHMARKS.md).

sentence-transformers' own ONNX backend needs ``optimum``, whose releases pin transformers
below the 5.x that sentence-transformers 6 requires, so the export is done here instead with
``torch.onnx.export`` (the TorchScript exporter, no network). It runs once per model, on first
use, into ``<data_dir>/models/``; the file is written beside its final name and renamed, so a
crash never leaves half a model. Tokenising uses the model's own ``tokenizer.json``
(``tokenizers``) and pooling follows its ``1_Pooling/config.json``; the vectors equal the
torch encoder's to ~1e-7 (tests/models/test_onnx_embedder.py).
"""

from __future__ import annotations

import hashlib
import json
import os
import threading
import warnings
from pathlib import Path

import numpy as np

from graph.errors import ConfigError
from graph.schema import EMBEDDING_DIMENSIONS

_INPUTS = ("input_ids", "attention_mask", "token_type_ids")
_INSTALL_HINT = "pip install onnxruntime==1.31.1 onnx==1.23.2 (or `pip install -r requirements.txt`)"


def _pooling_mode(model_dir: Path) -> str:
    config = model_dir / "1_Pooling" / "config.json"
    if not config.is_file():
        return "mean"
    modes = json.loads(config.read_text(encoding="utf-8"))
    if modes.get("pooling_mode_mean_tokens"):
        return "mean"
    if modes.get("pooling_mode_cls_token"):
        return "cls"
    raise ConfigError(f"embedding_runtime=onnx supports mean or CLS pooling; {config} asks "
                      "for another. Set MINQING_EMBEDDING_RUNTIME=torch.")


def _max_length(model_dir: Path) -> int:
    config = model_dir / "sentence_bert_config.json"
    if config.is_file():
        return int(json.loads(config.read_text(encoding="utf-8")).get("max_seq_length", 256))
    return 256


def onnx_path(model_dir: Path, cache_dir: Path, name: str) -> Path:
    """Where the exported model of ``model_dir`` lives: named after the weights' size and
    modification time, so new weights get a new export."""
    weights = sorted(p for p in model_dir.glob("*") if p.suffix in (".safetensors", ".bin"))
    stamp = hashlib.sha1("|".join(f"{p.name}:{p.stat().st_size}:{p.stat().st_mtime_ns}"
                                  for p in weights).encode()).hexdigest()[:10]
    safe = "".join(c if c.isalnum() or c in "-_." else "_" for c in name)
    return cache_dir / f"{safe}-{stamp}.onnx"


def export_onnx(model_dir: Path, target: Path) -> Path:
    """Export the transformer of the sentence-transformers model in ``model_dir`` to ONNX."""
    try:
        import torch
        from transformers import AutoModel
    except ImportError as e:
        raise ConfigError("exporting the embedding model to ONNX needs torch and "
                          "transformers: pip install -r requirements.txt") from e

    class _LastHiddenState(torch.nn.Module):
        # The exporter passes inputs positionally; BertModel's signature has other
        # parameters in between, so name them here.
        def __init__(self, model):
            super().__init__()
            self.model = model

        def forward(self, input_ids, attention_mask, token_type_ids):
            return self.model(input_ids=input_ids, attention_mask=attention_mask,
                              token_type_ids=token_type_ids).last_hidden_state

    model = AutoModel.from_pretrained(str(model_dir)).eval()
    sample = torch.ones((1, 4), dtype=torch.long)
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_name(f".{target.name}.{os.getpid()}.partial")
    # The TorchScript exporter warns about operators it decomposes (advanced indexing on
    # the attention mask); the test against the torch encoder is what checks the result.
    with torch.no_grad(), warnings.catch_warnings():
        warnings.simplefilter("ignore")
        torch.onnx.export(_LastHiddenState(model), (sample, sample, torch.zeros_like(sample)),
                          str(partial), input_names=list(_INPUTS),
                          output_names=["last_hidden_state"],
                          dynamic_axes={n: {0: "batch", 1: "tokens"}
                                        for n in (*_INPUTS, "last_hidden_state")},
                          opset_version=17, dynamo=False)
    os.replace(partial, target)
    return target


class OnnxEmbedder:
    """The sentence-transformers model in ``model_dir`` run by ONNX Runtime.

    Args:
        model_dir: a sentence-transformers model directory (config, tokenizer.json, weights).
        cache_dir: where the exported ``.onnx`` file is kept (``<data_dir>/models``).
        name: stored with each vector — the same as the torch encoder's, since the vectors
            are the same.
        batch_size: texts per run.
        threads: ONNX Runtime's intra-op threads (0 = its default, one per core).
    """

    def __init__(self, model_dir: str | Path, cache_dir: str | Path, name: str | None = None,
                 batch_size: int = 64, threads: int = 0):
        self.model_dir = Path(model_dir)
        self.cache_dir = Path(cache_dir)
        self.name = name or self.model_dir.name
        self.batch_size = batch_size
        self.threads = threads
        self.dimensions = EMBEDDING_DIMENSIONS
        self._session = None
        self._tokenizer = None
        self._pooling = "mean"
        self._lock = threading.Lock()

    def _load(self):
        with self._lock:
            if self._session is not None:
                return
            try:
                import onnxruntime
                from tokenizers import Tokenizer
            except ImportError as e:
                raise ConfigError(f"embedding_runtime=onnx needs onnxruntime: {_INSTALL_HINT}; "
                                  "or set MINQING_EMBEDDING_RUNTIME=torch") from e
            if not (self.model_dir / "tokenizer.json").is_file():
                raise ConfigError(f"embedding_runtime=onnx needs {self.model_dir}/tokenizer.json; "
                                  "set MINQING_EMBEDDING_RUNTIME=torch for this model")
            self._pooling = _pooling_mode(self.model_dir)
            path = onnx_path(self.model_dir, self.cache_dir, self.name)
            if not path.is_file():
                export_onnx(self.model_dir, path)
            options = onnxruntime.SessionOptions()
            options.intra_op_num_threads = self.threads
            session = onnxruntime.InferenceSession(str(path), options,
                                                   providers=["CPUExecutionProvider"])
            outputs = session.get_outputs()[0].shape
            if outputs[-1] != EMBEDDING_DIMENSIONS:
                raise ConfigError(f"embedding_model={self.name!r} gives {outputs[-1]}-"
                                  f"dimensional vectors; the graph's indexes hold "
                                  f"{EMBEDDING_DIMENSIONS}.")
            tokenizer = Tokenizer.from_file(str(self.model_dir / "tokenizer.json"))
            tokenizer.enable_truncation(max_length=_max_length(self.model_dir))
            tokenizer.enable_padding()
            self._tokenizer, self._session = tokenizer, session

    def encode(self, texts: list[str]) -> np.ndarray:
        """Embed ``texts``; return an L2-normalised float32 array ``(n, 384)``."""
        out = np.zeros((len(texts), self.dimensions), dtype=np.float32)
        if not texts:
            return out
        if self._session is None:
            self._load()
        # Similar lengths share a batch, so little of each run is padding.
        order = sorted(range(len(texts)), key=lambda i: len(texts[i] or ""))
        for start in range(0, len(order), self.batch_size):
            rows = order[start:start + self.batch_size]
            out[rows] = self._encode_batch([texts[i] or "" for i in rows])
        return out

    def _encode_batch(self, texts: list[str]) -> np.ndarray:
        encodings = self._tokenizer.encode_batch(texts)
        feeds = {
            "input_ids": np.array([e.ids for e in encodings], dtype=np.int64),
            "attention_mask": np.array([e.attention_mask for e in encodings], dtype=np.int64),
            "token_type_ids": np.array([e.type_ids for e in encodings], dtype=np.int64),
        }
        hidden = self._session.run(None, feeds)[0]
        if self._pooling == "cls":
            pooled = hidden[:, 0]
        else:
            mask = feeds["attention_mask"][..., None].astype(np.float32)
            pooled = (hidden * mask).sum(axis=1) / np.maximum(mask.sum(axis=1), 1e-9)
        norms = np.linalg.norm(pooled, axis=1, keepdims=True)
        return (pooled / np.where(norms == 0, 1, norms)).astype(np.float32)
