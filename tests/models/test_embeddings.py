"""Embedders: the test-only hashing one everywhere, the real MiniLM model in one test."""

import numpy as np
import pytest

from graph.errors import ConfigError
from graph.schema import EMBEDDING_DIMENSIONS
from models.embeddings import (MINILM, Embedder, HashingEmbedder, SentenceTransformerEmbedder,
                               get_embedder)
from models.onnx_embedder import OnnxEmbedder


def test_hashing_vectors_are_fixed_normalised_and_share_words():
    embedder = HashingEmbedder()
    vectors = embedder.encode(["first aid volunteer", "急救 first aid", "piano lessons", ""])
    assert vectors.shape == (4, EMBEDDING_DIMENSIONS) and vectors.dtype == np.float32
    assert np.allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-6)
    assert np.array_equal(vectors, embedder.encode(["first aid volunteer", "急救 first aid",
                                                    "piano lessons", ""]))
    assert vectors[0] @ vectors[1] > vectors[0] @ vectors[2]
    assert isinstance(embedder, Embedder)


def test_get_embedder_follows_the_setting(settings):
    assert isinstance(get_embedder(settings.replace(embedding_model="hashing")), HashingEmbedder)
    real = get_embedder(settings.replace(embedding_model=MINILM, embedding_runtime="torch"))
    assert isinstance(real, SentenceTransformerEmbedder) and real.name == MINILM
    assert real is get_embedder(settings.replace(embedding_model=MINILM,
                                                 embedding_runtime="torch"))  # loaded once
    onnx = get_embedder(settings.replace(embedding_model=MINILM))
    assert isinstance(onnx, OnnxEmbedder) and onnx.name == MINILM  # the default runtime


@pytest.mark.parametrize("value, message", [
    ("no-such-model", "embedding_model='no-such-model'"),
])
def test_unknown_model_is_a_config_error(settings, value, message):
    with pytest.raises(ConfigError, match=message):
        get_embedder(settings.replace(embedding_model=value))


def test_unknown_runtime_is_a_config_error(settings):
    with pytest.raises(ConfigError, match="embedding_runtime='tensorflow'"):
        get_embedder(settings.replace(embedding_model=MINILM, embedding_runtime="tensorflow"))


def test_batch_size_must_be_positive(settings):
    with pytest.raises(ConfigError, match="embedding_batch_size"):
        get_embedder(settings.replace(embedding_model="hashing", embedding_batch_size=0))


def test_a_model_of_the_wrong_size_is_refused(tmp_path):
    # A directory that is not a model: refused with the setting named, not a traceback.
    with pytest.raises(ConfigError, match="embedding_model"):
        SentenceTransformerEmbedder(tmp_path / "missing").encode(["x"])


@pytest.mark.parametrize("runtime", ["onnx", "torch"])
def test_real_model_puts_similar_sentences_closer(settings, runtime):
    embedder = get_embedder(settings.replace(embedding_model=MINILM, embedding_runtime=runtime))
    vectors = embedder.encode(["a volunteer trained in first aid and CPR",
                               "someone who can give emergency medical help",
                               "a piano for the choir rehearsal"])
    assert vectors.shape == (3, EMBEDDING_DIMENSIONS) and vectors.dtype == np.float32
    assert np.allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-5)
    assert vectors[0] @ vectors[1] > vectors[0] @ vectors[2] + 0.1
