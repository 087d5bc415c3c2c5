"""One loader for model folders: a sentence-transformers folder with a Dense layer after pooling embeds here
exactly as in sentence-transformers, and an adapted copy of it keeps every module."""
import numpy as np
import pytest
import torch

from core.adapt import adapt
from core.embedders import TransformerEmbedder
from core.embedders.bundled import minilm
from core.embedders.folder import read_layout

TEXTS = ["A short sentence.", "Bread, flour and an oven: baking at home.", "球队赢了比赛", "goal " * 300]


@pytest.fixture(scope="module")
def dense_folder(tmp_path_factory):
    """A tiny random BERT (seeded) with CLS pooling, a Dense layer with tanh and Normalize, saved by
    sentence-transformers itself."""
    from sentence_transformers import SentenceTransformer
    from sentence_transformers.sentence_transformer.modules import Dense, Normalize, Pooling, Transformer
    from transformers import AutoTokenizer, BertConfig, BertModel

    root = tmp_path_factory.mktemp("models")
    torch.manual_seed(0)
    bert = BertModel(BertConfig(vocab_size=30522, hidden_size=32, num_hidden_layers=2, num_attention_heads=2,
                                intermediate_size=64, max_position_embeddings=128))
    bert.save_pretrained(root / "bert")
    AutoTokenizer.from_pretrained(minilm()).save_pretrained(root / "bert")
    transformer = Transformer(str(root / "bert"), max_seq_length=64)
    model = SentenceTransformer(modules=[transformer, Pooling(32, "cls"), Dense(32, 8, activation_function=torch.nn.Tanh()),
                                         Normalize()], device="cpu")
    model.save(str(root / "dense"))
    return root / "dense"


def reference(folder, texts):
    from sentence_transformers import SentenceTransformer

    return SentenceTransformer(str(folder), device="cpu").encode(texts, normalize_embeddings=True)


def test_the_folder_layout_names_every_module_after_pooling(dense_folder):
    layout = read_layout(dense_folder)
    assert layout.pooling == "cls" and len(layout.dense) == 1 and layout.normalize


def test_a_dense_layer_after_pooling_embeds_as_in_sentence_transformers(dense_folder):
    ours = TransformerEmbedder(dense_folder, windows=1, precision="fp32").embed(TEXTS)
    assert ours.shape == (4, 8)
    np.testing.assert_allclose(ours, reference(dense_folder, TEXTS), atol=1e-5)


def test_an_adapted_dense_model_keeps_its_modules_and_loads_in_both(dense_folder, tmp_path, english_texts):
    folder = adapt(english_texts[:8], str(dense_folder), steps=1, batch_size=4, seed=1, out_dir=tmp_path / "adapted")
    layout = read_layout(folder)
    assert layout.pooling == "cls" and len(layout.dense) == 1 and layout.normalize
    ours = TransformerEmbedder(folder, windows=1, precision="fp32").embed(TEXTS[:3])
    np.testing.assert_allclose(ours, reference(folder, TEXTS[:3]), atol=1e-5)
    before = TransformerEmbedder(dense_folder, windows=1, precision="fp32").embed(TEXTS[:3])
    assert not np.allclose(ours, before, atol=1e-4)  # the step trained the weights, Dense included
