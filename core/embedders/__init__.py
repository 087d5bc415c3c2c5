"""The embedders, described as data: the bundled English and multilingual transformers, the bundled
Universal Sentence Encoder and the pair of multilingual models for corpora in several languages, the
TF-IDF/LSA baseline, and any model folder or Hugging Face id already on disk, all behind one interface
(core.embedders.cache.Embedder). The picker, the command line and the pipeline read MODELS; nothing
else compares model names.

    load_embedder("multilingual").embed(["周末喜欢踢足球", "I play football at the weekend"])
"""
from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Callable

from core.embedders import bundled
from core.embedders.cache import Embedder, EmbeddingCache, cache_dir, count_missing, embed_texts
from core.embedders.lsa import LsaEmbedder
from core.embedders.pair import PairEmbedder
from core.embedders.transformer import DEFAULT_WINDOWS, MAX_WINDOWS, TransformerEmbedder
from core.embedders.use import UseEmbedder
from core.errors import CoreError
from core.language import KEYWORD_NOTES, NAMES as LANGUAGES

AUTO = "auto"


@dataclass(frozen=True, kw_only=True)
class Model:
    """One entry of the model picker.

    name : what Settings.model and --model call it.
    label : its name in the picker; short: the model's own name (for folder names and captions).
    languages : 'en' (English only), 'multilingual', or 'any' (word counts, no language model).
    folder : where its weights are, for a transformer (None for the others).
    make : how to make the embedder of a model that is neither a transformer folder nor the baseline (it
        reads texts whole and runs in fp32, so windows and precision do not apply).
    parts : for a pair of models, their names: their vectors side by side (core.embedders.pair), the second's
        times second_weight.
    fitted_on_corpus : its vectors depend on the whole corpus (never cached per text, refitted with a new text).
    adaptable : core.adapt can fine-tune it.
    cpu_precision : what precision 'auto' runs it in on a CPU without native bf16 (core.embedders.hardware):
        'int8' for a model measured to keep its topics in int8, else 'fp32'.
    int8_smoothing : SmoothQuant's a for its int8 (core.embedders.int8), where measured to help; None: none.
    """

    name: str
    label: str
    short: str = ""
    languages: str
    folder: Callable[[], Path] | None = None
    make: Callable[[], Embedder] | None = None
    parts: tuple[str, str] | None = None
    second_weight: float = 1.0
    fitted_on_corpus: bool = False
    adaptable: bool = True
    cpu_precision: str = "fp32"
    int8_smoothing: float | None = None


MODELS = {model.name: model for model in (
    Model(name="default", label="Bundled all-MiniLM-L6-v2 (English)", short="all-MiniLM-L6-v2", languages="en",
          folder=bundled.minilm),
    Model(name="multilingual", label="Bundled multilingual-e5-small (Chinese, English and about 100 more)",
          short="multilingual-e5-small", languages="multilingual", folder=bundled.multilingual_e5,
          # int8: 1.3-1.6x fp32's speed on AVX2, the same topics; smoothed at a = 0.7, THUCNews titles' cosine to fp32
          # 0.998 (0.989 with torch's dynamic int8; bench/README.md, "Chinese and mixed corpora")
          cpu_precision="int8", int8_smoothing=0.7),
    Model(name="use", label="Bundled Universal Sentence Encoder multilingual v3 (16 languages, the fastest)",
          short="USE-multilingual-v3", languages="multilingual", make=UseEmbedder, adaptable=False),
    # For texts in several languages (bench/README.md, "Chinese and mixed corpora"): on three corpora of
    # Chinese and English texts the pair agreed more with the subjects than multilingual-e5-small alone, and
    # on Chinese alone (THUCNews) less, so only corpora that mix languages get it. USE's weight gives both
    # models an equal share once a corpus' mean is taken out (core.align, core.reduce): e5's vectors share
    # one large direction, so what is left of them is 0.45-0.47 as long as USE's on those three corpora.
    Model(name="crosslingual", label="Bundled multilingual-e5-small + Universal Sentence Encoder (texts in "
          "several languages)", short="multilingual-e5-small+USE", languages="multilingual",
          parts=("multilingual", "use"), second_weight=0.46, adaptable=False),
    Model(name="tfidf", label="TF-IDF / LSA baseline (no language model)", short="TF-IDF/LSA", languages="any",
          fitted_on_corpus=True, adaptable=False),
)}
DEFAULT_MODEL = "default"
BASELINE = "tfidf"  # needs no language model: what the app shows while a transformer embeds in the background


def model_entry(name: str) -> Model:
    """The picker entry of a model name; a folder or a Hugging Face id gets an entry of its own."""
    if name in MODELS:
        return MODELS[name]
    return Model(name=name, label=name, short=Path(name).name, languages="unknown", folder=lambda: resolve_folder(name))


def choose_model(language: str) -> tuple[str, str]:
    """(model name, why) for a corpus in `language` (a core.language code): the English model for English,
    the pair of multilingual models for Chinese mixed with English, the multilingual model for anything else."""
    if language == "en":
        return "default", "the texts are in English, so the bundled English model (the best English topics here)"
    if language == "mixed":
        return "crosslingual", ("the texts mix Chinese and English, so the bundled pair of multilingual models "
                                "(multilingual-e5-small beside the Universal Sentence Encoder, which was trained "
                                "to put a text and its translation together)")
    note = f" ({KEYWORD_NOTES[language]})" if language in KEYWORD_NOTES else ""
    return "multilingual", f"the texts are in {LANGUAGES[language]}, so the bundled multilingual model{note}"


def resolve_folder(name: str) -> Path:
    """A local folder for a model name: a bundled model, a folder path, or a Hugging Face id already on disk."""
    if name in MODELS:
        if MODELS[name].folder is None:
            raise CoreError(f"The {MODELS[name].label} has no model folder.")
        return MODELS[name].folder()
    path = Path(name).expanduser()
    if path.is_dir():
        if not (path / "config.json").is_file():
            raise CoreError(f"The folder '{name}' is not a transformer model (it has no config.json). "
                            "Choose a folder that holds a saved Hugging Face or sentence-transformers model.")
        return path
    if path.exists():
        raise CoreError(f"'{name}' is a file, not a model folder.")
    from huggingface_hub import snapshot_download

    try:
        return Path(snapshot_download(name, local_files_only=True))
    except Exception:
        raise CoreError(f"The model '{name}' is not on this computer. The app works offline: download it "
                        "once elsewhere into the Hugging Face cache or a folder, then give that folder's path. "
                        "The bundled models always work.") from None


def load_embedder(name: str, windows: int = DEFAULT_WINDOWS, precision: str = AUTO, seed: int = 42) -> Embedder:
    """The embedder for a model name, made once per process. A bundled model, known to be whole, loads its
    weights only when a text is missing from the cache; any other model loads now, so that a broken one is
    reported at once. Only the LSA baseline depends on the seed."""
    entry = model_entry(name)
    if entry.fitted_on_corpus:
        return _load(name, 1, "fp32", seed)
    if entry.make:
        return _load(name, 1, "fp32", 0)
    return _load(name, windows, precision, 0)


def adapt_base(name: str) -> str | None:
    """The model that adapting fine-tunes when `name` is in use: itself, the transformer of a pair (the
    adapted folder then runs alone), or None when there is no language model to adapt."""
    entry = model_entry(name)
    if entry.adaptable:
        return name
    return entry.parts[0] if entry.parts and model_entry(entry.parts[0]).adaptable else None


@lru_cache(maxsize=6)
def _load(name: str, windows: int, precision: str, seed: int) -> Embedder:
    entry = model_entry(name)
    if entry.fitted_on_corpus:
        return LsaEmbedder(seed=seed)
    if entry.make:
        return entry.make()
    if entry.parts:
        return PairEmbedder(*(load_embedder(part, windows, precision, seed) for part in entry.parts),
                            weight=entry.second_weight)
    return TransformerEmbedder(resolve_folder(name), name=entry.label, windows=windows, precision=precision,
                               lazy=name in MODELS, cpu_precision=entry.cpu_precision,
                               int8_smoothing=entry.int8_smoothing)


__all__ = ["AUTO", "BASELINE", "DEFAULT_MODEL", "MAX_WINDOWS", "MODELS", "Embedder", "EmbeddingCache",
           "LsaEmbedder", "Model", "PairEmbedder", "TransformerEmbedder", "UseEmbedder", "adapt_base", "cache_dir",
           "choose_model", "count_missing", "embed_texts", "load_embedder", "model_entry", "resolve_folder"]
