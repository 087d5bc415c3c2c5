"""One loader for model folders: a Hugging Face encoder, or a sentence-transformers folder read as the
list of modules its modules.json names (Transformer, Pooling, Dense, Normalize), applied in order.

The embedder (core.embedders.transformer) and adaptation (core.adapt) both load through here, so a
folder embeds the same everywhere and the same as in sentence-transformers. Nothing from the folder
runs as code: trust_remote_code stays off, activations come from a fixed list, weights from
safetensors (or weights-only torch files).
"""
from __future__ import annotations

import json
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from core.errors import CoreError

ACTIVATIONS = ("Identity", "Tanh", "ReLU", "GELU", "Sigmoid")  # Dense activations a folder may name


@dataclass(frozen=True, kw_only=True)
class FolderLayout:
    """What a model folder declares, read from its JSON files alone (no weights): the pooling ('mean',
    'cls', 'max', 'lasttoken'), the Dense layers after pooling (their sub-folders), whether the vectors
    are normalised, the token limit, and the prompt put before every text (its default prompt, as
    sentence-transformers' encode uses it; none when the folder names no default)."""

    path: Path
    pooling: str = "mean"
    include_prompt: bool = True
    dense: tuple[Path, ...] = ()
    normalize: bool = False
    max_length: int | None = None
    prompt: str = ""


def _json(path: Path) -> dict:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise CoreError(f"The model file {path} could not be read ({exc}).") from None


def _pooling_mode(config: dict) -> str:
    """'mean', 'cls', 'max' or 'lasttoken' from a Pooling config, old keys (pooling_mode_cls_token) or new."""
    named = config.get("pooling_mode")
    named = [named] if isinstance(named, str) else list(named or [])
    for mode in ("cls", "max", "lasttoken", "mean"):
        if mode in named or config.get(f"pooling_mode_{mode}_token") or config.get(f"pooling_mode_{mode}_tokens"):
            return mode
    return "mean"


def read_layout(path: Path) -> FolderLayout:
    """The modules a folder declares; a plain Hugging Face folder is mean pooling and nothing after."""
    modules = path / "modules.json"
    if not modules.is_file():
        return FolderLayout(path=path)
    found: dict = {"dense": []}
    for module in _json(modules):
        kind = str(module.get("type", "")).rsplit(".", 1)[-1]
        folder = path / module.get("path", "")
        if kind == "Pooling":
            config = _json(folder / "config.json")
            found.update(pooling=_pooling_mode(config), include_prompt=config.get("include_prompt", True))
        elif kind == "Dense":
            found["dense"].append(folder)
        elif kind == "Normalize":
            found["normalize"] = True
        elif kind != "Transformer":
            raise CoreError(f"The model folder {path} has a module of type '{kind}', which this app cannot run. "
                            "Choose a model made of Transformer, Pooling, Dense and Normalize modules.")
    st_config = path / "sentence_bert_config.json"
    max_length = _json(st_config).get("max_seq_length") if st_config.is_file() else None
    st_info = path / "config_sentence_transformers.json"
    prompt = ""
    if st_info.is_file():
        info = _json(st_info)
        prompt = (info.get("prompts") or {}).get(info.get("default_prompt_name") or "", "") or ""
    return FolderLayout(path=path, dense=tuple(found["dense"]), normalize=found.get("normalize", False),
                        pooling=found.get("pooling", "mean"), include_prompt=found.get("include_prompt", True),
                        max_length=int(max_length) if max_length else None, prompt=prompt)


def load_dense(folder: Path):
    """A Dense module (torch Linear + activation) from its folder, weights read without unpickling code."""
    import torch

    config = _json(folder / "config.json")
    activation = str(config.get("activation_function", "Identity")).rsplit(".", 1)[-1]
    if activation not in ACTIVATIONS:
        raise CoreError(f"The Dense layer in {folder} uses the activation '{activation}', which this app does "
                        f"not run (it knows {', '.join(ACTIVATIONS)}).")
    linear = torch.nn.Linear(config["in_features"], config["out_features"], bias=config.get("bias", True))
    if (folder / "model.safetensors").is_file():
        from safetensors.torch import load_file

        state = load_file(str(folder / "model.safetensors"))
    elif (folder / "pytorch_model.bin").is_file():
        state = torch.load(folder / "pytorch_model.bin", map_location="cpu", weights_only=True)
    else:
        raise CoreError(f"The Dense layer in {folder} has no weights file.")
    linear.load_state_dict({k.removeprefix("linear."): v for k, v in state.items()})
    return torch.nn.Sequential(linear, getattr(torch.nn, activation)())


def load_transformer(path: Path, name: str):
    """(config, tokenizer, model) of the folder's encoder, local files only, no remote code; a folder
    that cannot be used raises a CoreError that says why."""
    import transformers
    from transformers import AutoConfig, AutoModel

    transformers.logging.set_verbosity_error()
    transformers.logging.disable_progress_bar()
    with _loading(name):
        config = AutoConfig.from_pretrained(path, local_files_only=True, trust_remote_code=False)
    tokenizer = load_tokenizer(path, name)
    with _loading(name):
        model = AutoModel.from_pretrained(path, local_files_only=True, trust_remote_code=False)
    return config, tokenizer, model


def load_tokenizer(path: Path, name: str):
    """The folder's tokenizer alone, loaded as load_transformer loads it."""
    from transformers import AutoTokenizer

    with _loading(name):
        return AutoTokenizer.from_pretrained(path, local_files_only=True, trust_remote_code=False)


@contextmanager
def _loading(name: str):
    """What went wrong loading the model `name`, as a CoreError that says why."""
    try:
        yield
    except ValueError as exc:
        if "trust_remote_code" in str(exc) or "custom code" in str(exc):
            raise CoreError(f"The model '{name}' needs to run its own code (trust_remote_code), "
                            "which this app never does. Choose another model.") from None
        raise CoreError(f"The model '{name}' could not be loaded: {exc}") from None
    except OSError as exc:
        raise CoreError(f"The model '{name}' is incomplete on disk ({exc}).") from None
    except Exception as exc:  # e.g. damaged weights (SafetensorError)
        reason = (str(exc).strip().splitlines() or [""])[0]
        raise CoreError(f"The model '{name}' could not be loaded ({type(exc).__name__}: {reason}). "
                        "Choose another model; the bundled default always works.") from None


def max_length(layout: FolderLayout, tokenizer, config) -> int:
    """The token limit: the folder's declared one, else the position embeddings or the tokenizer's limit."""
    limits = [getattr(config, "max_position_embeddings", 512) or 512]
    if getattr(config, "model_type", "") in ("roberta", "xlm-roberta", "camembert"):
        limits[0] -= 2  # RoBERTa-style positions start after the padding index
    if tokenizer.model_max_length and tokenizer.model_max_length < 100_000:
        limits.append(tokenizer.model_max_length)
    return layout.max_length or min(limits)


def describe(layout: FolderLayout) -> str:
    """What in the layout changes the vectors, in a few words for the embedder's cache key: the pooling,
    the prompt, the Dense layers (vectors are always normalised, so Normalize changes nothing)."""
    prompt = layout.prompt
    return "|".join([layout.pooling] + [f"prompt={prompt}"] * bool(prompt) + [f"dense={len(layout.dense)}"] * bool(layout.dense))
