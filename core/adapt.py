"""Adapt a transformer embedder to the user's own texts, without labels, and compare topics before and after.

Contrastive training (the in-batch softmax of sentence-transformers' MultipleNegativesRankingLoss) on the
model as core.embedders.encoder loads it: each text is pulled towards a positive made from itself and
away from the other texts of the batch. The positive is another
random span of the text ('crops', the default; a text shorter than the span is its own positive) or the
text itself, made different by dropout only ('simcse', Gao et al., 2021). The adapted model is saved as
an ordinary sentence-transformers folder (safetensors only) with `adapted.json`, the record of its base
model, data fingerprint, settings and date, so it loads wherever a model folder is accepted (`--model PATH`).
"""
from __future__ import annotations

import hashlib
import json
import os
import random
import re
import shutil
import time
from dataclasses import dataclass
from datetime import datetime, timezone
from functools import lru_cache
from pathlib import Path
from typing import Callable

import numpy as np

from core.embedders import DEFAULT_MODEL, MODELS, adapt_base, cache_dir, model_entry, resolve_folder
from core.embedders.folder import load_tokenizer
from core.embedders.hardware import pick_device
from core.errors import CoreError
from core.versions import package_versions

RECORD = "adapted.json"
FORMAT = "topicdash-adapted-model"
DEFAULT_STEPS = 200
DEFAULT_MAX_SECONDS = 600.0
DEFAULT_BATCH_SIZE = 32
DEFAULT_MAX_LENGTH = 128
DEFAULT_LEARNING_RATE = 2e-5
WARMUP_STEPS = 10  # at most: a budget cut short by the clock should not end inside the warm-up
METHODS = ("crops", "simcse")
DEFAULT_METHOD = "crops"
PICKLE_SUFFIXES = (".bin", ".pt", ".pth", ".pkl", ".pickle", ".ckpt")
SCALE = 20.0  # cosine similarities times this are the logits of the in-batch softmax


def models_dir() -> Path:
    """Where adapted models are saved by default: <cache folder>/models."""
    return cache_dir() / "models"


def training_texts(texts) -> list[str]:
    """The texts adapt() trains on: each distinct non-blank text once, in first-seen order."""
    return [t for t in dict.fromkeys(str(t) for t in texts) if t.strip()]


def fingerprint(texts) -> str:
    """A content hash of the training texts of `texts`: the record's data fingerprint."""
    return hashlib.sha256(json.dumps(training_texts(texts), ensure_ascii=False).encode()).hexdigest()[:16]


def pair_note(model: str) -> str | None:
    """What adapting trains when `model` is a pair of models (core.embedders.adapt_base); None otherwise."""
    base = adapt_base(model)
    if base is None or base == model:
        return None
    return (f"Adapting fine-tunes the {model_entry(base).label}, the transformer of the {model_entry(model).label}; "
            "the adapted model runs alone.")


# Adapting warns when at least this share of the texts fits in one training span: for such a text 'crops' has
# only the text itself for a positive, and on THUCNews headlines (all of them that short) adapting made the
# topics worse, k = 10 NMI 0.669 -> 0.640; positives of half to all of a short text were tried too and did
# worse, 0.669 -> 0.616 (bench/README.md, "Adapting the multilingual model to THUCNews").
SHORT_SHARE = 0.5


def short_text_warning(texts, base_model: str = DEFAULT_MODEL, max_length: int = DEFAULT_MAX_LENGTH,
                       sample: int = 2000) -> str | None:
    """A warning when most training texts (a seeded sample of at most `sample`) fit in one span of `max_length`
    of the base model's tokens, where adapting taught nothing in what was measured; None otherwise."""
    texts, base_model = training_texts(texts), adapt_base(base_model)
    if not texts or base_model is None:
        return None
    if len(texts) > sample:
        texts = random.Random(0).sample(texts, sample)
    tokenizer = _tokenizer(resolve_folder(base_model), base_model)
    share = float(np.mean([len(ids) <= max_length for ids in tokenizer(texts, verbose=False)["input_ids"]]))
    if share < SHORT_SHARE:
        return None
    return (f"{share:.0%} of these texts are shorter than the {max_length}-token spans adapting trains on, so it "
            "would mostly match each text to a copy of itself, which teaches the model nothing about their "
            "subjects: on 10,000 news headlines adapting made the topics worse (NMI 0.669 → 0.640). Adapting is "
            "best left off for short texts.")


@lru_cache(maxsize=2)
def _tokenizer(folder: Path, name: str):
    return load_tokenizer(folder, name)


def adapt(texts, base_model: str = DEFAULT_MODEL, *, steps: int = DEFAULT_STEPS,
          max_seconds: float | None = DEFAULT_MAX_SECONDS, batch_size: int = DEFAULT_BATCH_SIZE,
          max_length: int = DEFAULT_MAX_LENGTH, learning_rate: float = DEFAULT_LEARNING_RATE,
          method: str = DEFAULT_METHOD, seed: int = 42,
          device: str | None = None, out_dir: str | Path | None = None,
          progress: Callable[[int, int], None] | None = None,
          should_stop: Callable[[], bool] | None = None) -> Path:
    """Fine-tune `base_model` on `texts` without labels and save it; returns the saved folder.

    Parameters
    ----------
    texts : the user's texts; blanks and repeats are left out.
    base_model : 'default', a local model folder (an adapted one too) or a Hugging Face id on disk; for a
        pair of models ('crosslingual') its transformer is adapted (core.embedders.adapt_base).
    steps : training steps of `batch_size` texts (default 200).
    max_seconds : stop after this much training time even if steps remain (default 600; None: no limit).
    max_length : tokens per text while training (default 128, for speed); the saved model keeps the
        base model's own limit.
    learning_rate : AdamW peak learning rate, reached after a linear warm-up over the first 10 % of
        steps (at most 10 steps), then decaying linearly to 0 at `steps`.
    method : 'crops' (default) or 'simcse': what each text's positive is (see the module docstring).
    seed : seeds torch, numpy, random and the order of the texts; on the CPU two runs with the same
        seed, texts and settings give the same weights.
    device : 'cuda' or 'cpu'; default CUDA when available.
    out_dir : the folder to write (must not exist yet); default <cache>/models/<base>-adapted-<data>-<time>.
    progress : called as progress(step, steps) after each step.
    should_stop : polled before each step; when it returns True training ends and the steps done so
        far are saved (as when the time budget runs out).
    """
    texts = training_texts(texts)
    if len(texts) < 2:
        raise CoreError("Adapting the model needs at least 2 different non-empty texts.")
    if steps < 1 or batch_size < 2 or max_length < 8 or learning_rate <= 0:
        raise CoreError("Adapting needs steps >= 1, a batch size >= 2, a maximum length >= 8 and a positive "
                        "learning rate.")
    if method not in METHODS:
        raise CoreError(f"Unknown adaptation method '{method}'; choose one of {', '.join(METHODS)}.")
    if max_seconds is not None and max_seconds <= 0:
        raise CoreError("The time budget for adapting must be positive (or none).")
    if (base := adapt_base(base_model)) is None:
        raise CoreError(f"The {model_entry(base_model).label} has no language model to adapt; choose a transformer model.")
    base_model = base
    base_path = resolve_folder(base_model)
    data, base_name = fingerprint(texts), _base_name(base_model, base_path)
    target = Path(out_dir) if out_dir else models_dir() / f"{base_name}-adapted-{data[:8]}-{datetime.now():%Y%m%d-%H%M%S}"
    if target.exists():
        raise CoreError(f"'{target}' already exists; choose a new folder for the adapted model.")

    import torch

    _seed_everything(seed)
    device = pick_device(device)
    model = _load(base_path, base_model, device)
    batch_size = min(batch_size, len(texts))
    start = time.perf_counter()
    trained = _train(model, texts, method=method, steps=steps, max_seconds=max_seconds, batch_size=batch_size,
                     max_length=max_length, learning_rate=learning_rate, seed=seed, progress=progress,
                     should_stop=should_stop, torch=torch)
    if trained["steps"] == 0:
        raise CoreError("Adapting was stopped before the first step; nothing was saved.")
    trained["seconds"] = round(time.perf_counter() - start, 1)
    record = {
        "format": FORMAT, "version": 1, "created": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "base_model": base_model, "base_model_path": str(base_path), "base_name": base_name,
        "data": {"texts": len(texts), "fingerprint": data},
        "settings": {"method": method, "steps": steps, "max_seconds": max_seconds, "batch_size": batch_size,
                     "max_length": max_length, "learning_rate": learning_rate,
                     "warmup_steps": warmup_steps(steps),
                     "scale": SCALE, "seed": seed, "device": device},
        "trained": trained,
        "packages": package_versions(("transformers", "torch"))}
    return _save(model, target, record)


def warmup_steps(steps: int) -> int:
    """Steps of linear learning-rate warm-up: 10 % of the planned steps, at most WARMUP_STEPS."""
    return max(1, min(WARMUP_STEPS, steps // 10))


def _seed_everything(seed: int) -> None:
    import torch

    random.seed(seed)
    np.random.seed(seed)
    torch.manual_seed(seed)


def _load(path: Path, name: str, device: str):
    from core.embedders.encoder import Encoder

    return Encoder(path, name).to(device)


def _train(encoder, texts: list[str], *, method, steps, max_seconds, batch_size, max_length, learning_rate, seed,
           progress, should_stop, torch) -> dict:
    """Shuffled batches of distinct texts; each text's positive is a dropout-noised copy of itself
    ('simcse') or another random span of it ('crops'); the batch's other texts are the negatives
    (in-batch softmax over cosine similarities times 20, as sentence-transformers' MultipleNegativesRankingLoss)."""
    # The word embeddings stay as they are: training them on a few thousand texts would move only the tokens
    # those texts use (for a multilingual model, a few of its 250,000), and they are most of the weights.
    encoder.transformer.get_input_embeddings().weight.requires_grad_(False)
    trainable = [p for p in encoder.parameters() if p.requires_grad]
    optimizer = torch.optim.AdamW(trainable, lr=learning_rate, weight_decay=0.01)
    warmup = warmup_steps(steps)
    scheduler = torch.optim.lr_scheduler.LambdaLR(
        optimizer, lambda s: min((s + 1) / warmup, max(0.0, (steps - s) / max(1, steps - warmup))))
    order = torch.Generator().manual_seed(seed)
    whole = encoder.windows_of(texts, max_length)
    crop = _cropper(encoder, texts, max_length, np.random.default_rng(seed)) if method == "crops" else whole.__getitem__
    device = next(encoder.parameters()).device

    def embed(windows):
        return torch.nn.functional.normalize(encoder(*encoder.batch(windows, device)), dim=-1)

    queue: list[int] = []
    losses: list[float] = []
    stopped, start = "steps", time.perf_counter()
    encoder.train()
    try:
        for step in range(steps):
            if should_stop is not None and should_stop():
                stopped = "stopped"
                break
            if max_seconds is not None and time.perf_counter() - start >= max_seconds:
                stopped = "time"
                break
            if len(queue) < batch_size:  # a new pass over the texts, in a seeded order
                queue += torch.randperm(len(texts), generator=order).tolist()
            batch, queue = queue[:batch_size], queue[batch_size:]
            batch = list(dict.fromkeys(batch))  # a pass boundary can repeat a text: it would be its own negative
            anchors, positives = ([crop(i) for i in batch] for _ in range(2))
            scores = embed(anchors) @ embed(positives).T * SCALE
            loss = torch.nn.functional.cross_entropy(scores, torch.arange(len(batch), device=device))
            optimizer.zero_grad()
            loss.backward()
            torch.nn.utils.clip_grad_norm_(trainable, 1.0)
            optimizer.step()
            scheduler.step()
            losses.append(float(loss.detach()))
            if progress is not None:
                progress(step + 1, steps)
    finally:
        encoder.eval()
    return {"steps": len(losses), "stopped_by": stopped, "first_loss": round(losses[0], 4) if losses else None,
            "last_loss": round(float(np.mean(losses[-10:])), 4) if losses else None}


def _cropper(encoder, texts: list[str], max_length: int, rng: np.random.Generator) -> Callable[[int], list[int]]:
    """A function giving a random span of at most max_length tokens of text i (the whole of a short
    text) as a window with the model's prompt and special tokens."""
    ids = encoder.tokenizer(texts, add_special_tokens=False, verbose=False)["input_ids"]
    prefix, suffix = encoder.special[0] + encoder.prompt_ids, encoder.special[1]
    body = max_length - len(prefix) - len(suffix)

    def crop(i: int) -> list[int]:
        start = int(rng.integers(0, len(ids[i]) - body + 1)) if len(ids[i]) > body else 0
        return prefix + ids[i][start:start + body] + suffix
    return crop


def _save(encoder, target: Path, record: dict) -> Path:
    """Write to a temporary sibling folder, check it holds no pickled weights, then rename into place."""
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_name(f".{target.name}.partial-{os.getpid()}")
    shutil.rmtree(partial, ignore_errors=True)
    try:
        encoder.save(partial)
        pickled = [p.name for p in partial.rglob("*") if p.suffix in PICKLE_SUFFIXES]
        if pickled or not any(partial.glob("*.safetensors")):
            raise CoreError(f"Saving the adapted model did not write safetensors only ({', '.join(pickled)}); "
                            "nothing was kept.")
        (partial / RECORD).write_text(json.dumps(record, indent=2) + "\n")
        partial.rename(target)
    finally:
        shutil.rmtree(partial, ignore_errors=True)
    return target


def _base_name(name: str, path: Path) -> str:
    """A folder-name-safe name of the base model; an adapted base gives its own base's name."""
    if name in MODELS:
        return MODELS[name].short
    record = read_record(path)
    label = record.get("base_name", path.name) if record else path.name
    return re.sub(r"[^A-Za-z0-9._-]+", "-", label).strip("-") or "model"


# --- adapted models on disk ---------------------------------------------------------------------------

@dataclass(frozen=True)
class AdaptedModel:
    """An adapted model folder and its record."""

    path: Path
    record: dict

    @property
    def label(self) -> str:
        """For a model picker: folder name, base model, texts and date."""
        data = self.record.get("data", {})
        trained = self.record.get("trained", {})
        base = self.record.get("base_model", "?")
        base = f"the bundled {MODELS[base].short}" if base in MODELS else base
        return (f"{self.path.name} (adapted from {base} on {data.get('texts', '?')} "
                f"texts, {trained.get('steps', '?')} steps, {self.record.get('created', '')[:10]})")


def read_record(path: str | Path) -> dict | None:
    """The adaptation record of a model folder, or None when the folder was not made by `adapt`."""
    file = Path(path) / RECORD
    try:
        record = json.loads(file.read_text())
    except (OSError, ValueError):
        return None
    return record if isinstance(record, dict) and record.get("format") == FORMAT else None


def list_adapted_models(root: str | Path | None = None) -> list[AdaptedModel]:
    """The adapted models under `root` (default <cache>/models), newest first."""
    root = Path(root) if root else models_dir()
    found = []
    for folder in root.iterdir() if root.is_dir() else []:
        record = read_record(folder) if folder.is_dir() and not folder.name.startswith(".") else None
        if record is not None:
            found.append(AdaptedModel(folder, record))
    return sorted(found, key=lambda m: (m.record.get("created", ""), m.path.name), reverse=True)


def delete_adapted_model(path: str | Path) -> None:
    """Delete an adapted model folder; any other folder (one without our record) is refused."""
    path = Path(path)
    if path.is_symlink() or not path.is_dir() or read_record(path) is None:
        raise CoreError(f"'{path}' is not an adapted model folder (it has no {RECORD} record); "
                        "only models made by adapting can be deleted here.")
    shutil.rmtree(path)


# --- before and after -------------------------------------------------------------------------------

def topic_changes(before, after) -> dict:
    """How many texts changed topic between two labelings of the same texts, after matching each topic
    before to the topic after it shares most texts with (Hungarian assignment; topic ids are arbitrary)."""
    from scipy.optimize import linear_sum_assignment
    from sklearn.metrics.cluster import contingency_matrix

    before, after = np.asarray(before), np.asarray(after)
    if before.shape != after.shape:
        raise CoreError("The two runs have different numbers of texts; compare runs on the same texts.")
    if not len(before):
        return {"texts": 0, "changed": 0, "changed_share": 0.0, "matching": {}}
    old, old_idx = np.unique(before, return_inverse=True)
    new, new_idx = np.unique(after, return_inverse=True)
    table = contingency_matrix(old_idx, new_idx)
    rows, cols = linear_sum_assignment(table, maximize=True)
    kept = int(table[rows, cols].sum())
    return {"texts": len(before), "changed": len(before) - kept, "changed_share": (len(before) - kept) / len(before),
            "matching": {int(old[r]): int(new[c]) for r, c in zip(rows, cols)}}


def compare_topics(before_labels, before_figures: dict, after_labels, after_figures: dict) -> dict:
    """Two topic runs on the same texts (say the base and the adapted model, same k and seed) side by
    side: each quality figure before and after, and how many texts changed topic."""
    figures = {name: {"before": before_figures.get(name), "after": after_figures.get(name),
                      "change": after_figures[name] - before_figures[name]
                      if isinstance(before_figures.get(name), (int, float))
                      and isinstance(after_figures.get(name), (int, float)) else None}
               for name in dict.fromkeys([*before_figures, *after_figures])}
    return {"figures": figures, **topic_changes(before_labels, after_labels)}
