"""A model folder as one torch module: the transformer, the folder's pooling, its Dense layers. The
embedder runs it for inference and core.adapt trains it, so both read a folder the same way; `save`
writes a folder that this loader and sentence-transformers both read back."""
from __future__ import annotations

import json
import shutil
from pathlib import Path

import numpy as np
import torch

from core.embedders.folder import load_dense, load_transformer, max_length, read_layout

LAYOUT_FILES = ("modules.json", "sentence_bert_config.json", "config_sentence_transformers.json")


class Encoder(torch.nn.Module):
    """forward(input_ids, attention_mask) -> one pooled vector per row (before normalising).

    Attributes: layout (what the folder declares), tokenizer, max_length (tokens per window, special
    tokens and prompt included), prompt (put before every text), special (token ids before and after a
    text) and prompt_ids."""

    def __init__(self, path: Path, name: str = ""):
        super().__init__()
        self.path, self.layout = Path(path), read_layout(Path(path))
        config, self.tokenizer, self.transformer = load_transformer(self.path, name or self.path.name)
        self.dense = torch.nn.ModuleList(load_dense(folder) for folder in self.layout.dense)
        self.max_length = max_length(self.layout, self.tokenizer, config)
        self.prompt = self.layout.prompt
        self.special = special_tokens(self.tokenizer)
        self.prompt_ids = self.tokenizer(self.prompt, add_special_tokens=False)["input_ids"] if self.prompt else []
        self.dimensions = self.dense[-1][0].out_features if len(self.dense) else config.hidden_size

    def forward(self, input_ids: torch.Tensor, attention_mask: torch.Tensor) -> torch.Tensor:
        hidden = self.transformer(input_ids=input_ids, attention_mask=attention_mask).last_hidden_state.float()
        pooled = self._pool(hidden, attention_mask)
        for dense in self.dense:
            pooled = dense(pooled)
        return pooled

    def _pool(self, hidden: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
        """The folder's pooling over each row's tokens (prompt tokens left out when it says so)."""
        if self.layout.pooling == "cls":
            return hidden[:, 0]
        if self.layout.pooling == "lasttoken":
            return hidden[torch.arange(len(hidden)), mask.sum(1) - 1]
        if not self.layout.include_prompt and self.prompt_ids:
            mask = mask.clone()
            mask[:, len(self.special[0]):len(self.special[0]) + len(self.prompt_ids)] = 0
        if self.layout.pooling == "max":
            return hidden.masked_fill(mask[..., None] == 0, -1e9).max(dim=1).values
        m = mask[..., None].float()
        return (hidden * m).sum(1) / m.sum(1).clamp(min=1)

    def batch(self, windows: list[list[int]], device: str) -> tuple[torch.Tensor, torch.Tensor]:
        """Token windows padded into (input_ids, attention_mask) tensors on `device`."""
        lengths = np.fromiter(map(len, windows), dtype=np.int64, count=len(windows))
        ids = np.full((len(windows), lengths.max()), self.tokenizer.pad_token_id or 0, dtype=np.int64)
        for row, window in zip(ids, windows):
            row[:len(window)] = window
        mask = np.arange(ids.shape[1]) < lengths[:, None]
        return torch.from_numpy(ids).to(device), torch.from_numpy(mask).to(device, torch.int64)

    def windows_of(self, texts: list[str], max_length: int | None = None) -> list[list[int]]:
        """Each text as one window: its prompt and tokens, cut to `max_length` tokens (the model's limit)."""
        prefix, suffix = self.special[0] + self.prompt_ids, self.special[1]
        body = (max_length or self.max_length) - len(prefix) - len(suffix)
        ids = self.tokenizer(texts, add_special_tokens=False, verbose=False)["input_ids"]
        return [prefix + seq[:body] + suffix for seq in ids]

    def save(self, target: Path) -> None:
        """An ordinary model folder: the transformer and tokenizer, the layout files of the folder it came
        from (or mean pooling for a plain Hugging Face folder) and the Dense weights, all as safetensors."""
        from safetensors.torch import save_file

        target.mkdir(parents=True)
        self.transformer.save_pretrained(target, safe_serialization=True)
        self.tokenizer.save_pretrained(target)
        if (self.path / "modules.json").is_file():
            for name in LAYOUT_FILES:
                if (self.path / name).is_file():
                    shutil.copy(self.path / name, target / name)
            for module in json.loads((self.path / "modules.json").read_text()):
                config = self.path / module.get("path", "") / "config.json"
                if module.get("path") and config.is_file():  # some modules (Normalize) may have none
                    (target / module["path"]).mkdir(exist_ok=True)
                    shutil.copy(config, target / module["path"] / "config.json")
        else:
            _write_mean_pooling(target, self.dimensions)
        for folder, dense in zip(self.layout.dense, self.dense):
            save_file({f"linear.{k}": v.contiguous() for k, v in dense[0].state_dict().items()},
                      str(target / folder.relative_to(self.path) / "model.safetensors"))


def _write_mean_pooling(target: Path, dimensions: int) -> None:
    modules = [{"idx": 0, "name": "0", "path": "", "type": "sentence_transformers.models.Transformer"},
               {"idx": 1, "name": "1", "path": "1_Pooling", "type": "sentence_transformers.models.Pooling"}]
    (target / "modules.json").write_text(json.dumps(modules, indent=2))
    (target / "1_Pooling").mkdir()
    (target / "1_Pooling" / "config.json").write_text(json.dumps({"word_embedding_dimension": dimensions,
                                                                  "pooling_mode_mean_tokens": True}, indent=2))


def special_tokens(tokenizer) -> tuple[list[int], list[int]]:
    """The token ids the tokenizer puts before and after a text (e.g. [CLS] and [SEP])."""
    plain = tokenizer("a", add_special_tokens=False)["input_ids"]
    full = tokenizer("a", add_special_tokens=True)["input_ids"]
    at = next(i for i in range(len(full)) if full[i:i + len(plain)] == plain)
    return full[:at], full[at + len(plain):]
