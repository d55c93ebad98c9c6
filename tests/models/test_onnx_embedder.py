"""The ONNX Runtime encoder gives the torch encoder's vectors, exports once, and says what
it needs when it cannot run."""

import numpy as np
import pytest

from graph.errors import ConfigError
from models.embeddings import MINILM, get_embedder
from models.onnx_embedder import OnnxEmbedder, onnx_path

TEXTS = ["a room for 40 people near Fenxi Road on Saturday afternoon",
         "周六下午在汾西路附近找一间能坐40人的活动室办糖尿病讲座",
         "", "🙂" * 3, "first aid " * 400]  # the last is longer than the model's 256 tokens


def test_onnx_vectors_equal_the_torch_encoder(settings):
    torch_vectors = get_embedder(settings.replace(embedding_model=MINILM,
                                                  embedding_runtime="torch")).encode(TEXTS)
    onnx = get_embedder(settings.replace(embedding_model=MINILM, embedding_runtime="onnx"))
    onnx_vectors = onnx.encode(TEXTS)
    assert onnx_vectors.dtype == np.float32 and onnx_vectors.shape == torch_vectors.shape
    assert np.abs(onnx_vectors - torch_vectors).max() < 1e-4
    # Batches are sorted by length inside encode; rows still come back in the caller's order.
    assert np.array_equal(onnx.encode(TEXTS[::-1]), onnx_vectors[::-1])
    assert onnx.encode([]).shape == (0, 384)


def test_the_export_is_kept_in_the_data_directory_and_reused(settings):
    onnx = get_embedder(settings.replace(embedding_model=MINILM))
    onnx.encode(["x"])
    path = onnx_path(onnx.model_dir, onnx.cache_dir, onnx.name)
    assert path.is_file() and path.parent == settings.data_path / "models"
    stamp = path.stat().st_mtime_ns
    again = OnnxEmbedder(onnx.model_dir, onnx.cache_dir, name=onnx.name)
    again.encode(["y"])
    assert path.stat().st_mtime_ns == stamp  # loaded, not exported again
    assert not list(path.parent.glob(".*.partial"))


def test_a_directory_without_a_tokenizer_is_refused_with_the_setting(tmp_path):
    with pytest.raises(ConfigError, match="MINQING_EMBEDDING_RUNTIME=torch"):
        OnnxEmbedder(tmp_path, tmp_path / "cache").encode(["x"])
