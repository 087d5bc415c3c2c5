"""int8 on a CPU: every Linear layer of the transformer with int8 weights (one scale per output channel) and
int8 inputs on a fixed scale, optionally after the inputs' outlier channels were moved into the weights
(SmoothQuant, Xiao et al., 2023).

The inputs' scales are fixed, measured once by running the fp32 model over CALIBRATION texts (the bundled
demo's posts, English and Chinese; kept in the cache folder). torch's dynamic quantisation instead takes
each batch's own largest value, so every text's vector depended on the texts it was batched with. With
fixed scales most texts get the same vector alone and in any batch; a few still differ a little (cosine
0.994-0.999 on the tests' sentences), because fp32 rounding that differs with the batch's padding can
move a value across a rounding boundary of its int8 level.

Smoothing: dividing each input channel j by s_j = max|x_j|^a / max|W_.j|^(1-a) and multiplying the weights'
column j by s_j computes the same product with flatter inputs, so one scale loses less. It does not help
every model: all-MiniLM-L6-v2 came out worse (BBC News, cosine to fp32 0.965 against 0.984 without), so it
is applied only where the model's entry gives an `a` (core.embedders.Model.int8_smoothing) and its layers are
laid out as BERT's (BERT, XLM-R, MiniLM, e5). Figures: bench/README.md, "Chinese and mixed corpora".
'auto' picks int8 for the multilingual model on an x86 CPU without native bf16 (core.embedders.hardware).
"""
from __future__ import annotations

import csv
import hashlib
import warnings
from pathlib import Path

import torch

from core.embedders.cache import cache_dir

CALIBRATION = Path(__file__).resolve().parents[2] / "assets" / "demo_posts.csv"
# a BERT layer's inputs, by the Linear layers that read them (q, k and v read one input)
GROUPS = (("attention.self.query", "attention.self.key", "attention.self.value"), ("attention.output.dense",),
          ("intermediate.dense",), ("output.dense",))


class Int8Linear(torch.nn.Module):
    """A Linear layer with int8 weights, its input quantised on a fixed scale (after multiplying by `inverse`,
    the smoothing, when given) and its output in fp32."""

    def __init__(self, linear: torch.nn.Linear, input_max: float, inverse: torch.Tensor | None = None):
        super().__init__()
        weight = linear.weight.detach().float()
        scales = (weight.abs().amax(1) / 127).clamp(min=1e-12).double()
        with warnings.catch_warnings():  # torch says quantised tensors will move to torchao; they work as documented
            warnings.simplefilter("ignore")
            quantised = torch.quantize_per_channel(weight, scales, torch.zeros(len(weight), dtype=torch.long), 0,
                                                   torch.qint8)
        self.packed = torch.ops.quantized.linear_prepack(quantised, linear.bias.detach().float()
                                                         if linear.bias is not None else None)
        self.scale, self.out_features = max(float(input_max), 1e-8) / 127, len(weight)
        self.register_buffer("inverse", inverse, persistent=False)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        if self.inverse is not None:
            x = x * self.inverse
        flat = x.reshape(-1, x.shape[-1]).float().contiguous()
        out = torch.ops.quantized.linear_with_input_q_dq_qweight_dq_output_fp32(flat, self.scale, 128, self.packed)
        return out.reshape(*x.shape[:-1], self.out_features)


def quantize_int8(encoder, identity: str = "", alpha: float | None = None) -> None:
    """Replace every Linear layer of `encoder.transformer` (a core.embedders.encoder.Encoder's) in place,
    smoothed first with SmoothQuant's `alpha` where one is given and the layers are laid out as BERT's;
    `identity` names the model's weights for the calibration file."""
    transformer = encoder.transformer
    linears = {name: m for name, m in transformer.named_modules() if isinstance(m, torch.nn.Linear)}
    maxima = _maxima(encoder, linears, identity)
    divisors, inverse = {}, {}  # per Linear: what its input is divided by; per module: the 1/s it applies
    layers = _bert_layers(transformer) if alpha is not None else []
    with torch.no_grad():
        for prefix, layer in layers:
            _smooth(layer, prefix, maxima, alpha, divisors, inverse)
    for name, linear in linears.items():
        top = (maxima[name] / divisors[name]).max() if name in divisors else maxima[name].max()
        parent, _, attribute = name.rpartition(".")
        setattr(transformer.get_submodule(parent), attribute, Int8Linear(linear, top, inverse.get(name)))
    for prefix, layer in layers:
        if prefix + "attention.self" in inverse:  # q, k and v share one multiplication
            layer.attention.self.register_buffer("smoothing", inverse[prefix + "attention.self"], persistent=False)
            layer.attention.self.register_forward_pre_hook(_divide, with_kwargs=True)


def _bert_layers(transformer) -> list[tuple[str, torch.nn.Module]]:
    """(name prefix, layer) of each BERT-like layer; empty for any other layout."""
    layers = getattr(getattr(transformer, "encoder", None), "layer", None)
    if not layers:
        return []
    try:
        for layer in layers:
            for group in GROUPS:
                for name in group:
                    assert isinstance(layer.get_submodule(name), torch.nn.Linear)
    except (AttributeError, AssertionError):
        return []
    return [(f"encoder.layer.{i}.", layer) for i, layer in enumerate(layers)]


def _smooth(layer, prefix: str, maxima: dict, alpha: float, divisors: dict, inverse: dict) -> None:
    """Scale each group's weight columns by s and note what divides its input: 1/s applied by the module
    that reads it (attention's q, k and v read one input), or folded into the value projection for
    attention.output, whose input is a mix of the values' channels."""
    for group in GROUPS:
        linears = [layer.get_submodule(name) for name in group]
        weights = torch.stack([linear.weight.abs().amax(0) for linear in linears]).amax(0).clamp(min=1e-5)
        s = (maxima[prefix + group[0]].clamp(min=1e-5) ** alpha / weights ** (1 - alpha)).clamp(min=1e-5)
        for name, linear in zip(group, linears):
            linear.weight.mul_(s[None, :])
            divisors[prefix + name] = s
        if group == ("attention.output.dense",):
            value = layer.attention.self.value
            value.weight.div_(s[:, None])
            value.bias.div_(s)
        else:
            inverse[prefix + ("attention.self" if len(group) > 1 else group[0])] = (1 / s).contiguous()


def _divide(module, args, kwargs):
    """Forward pre-hook: the hidden states divided by their channels' smoothing scales."""
    if args:
        return (args[0] * module.smoothing,) + tuple(args[1:]), kwargs
    return args, {**kwargs, "hidden_states": kwargs["hidden_states"] * module.smoothing}


def _maxima(encoder, linears: dict, identity: str) -> dict[str, torch.Tensor]:
    """Each Linear layer's largest absolute input per channel over the calibration texts, in fp32; read from
    the cache folder when this model was calibrated before."""
    from safetensors.torch import load_file, save_file

    digest = hashlib.sha256(f"inputs-v2|{identity}|{calibration_tag()}".encode()).hexdigest()[:16]
    path = cache_dir() / "calibration" / f"{digest}.safetensors"
    if path.is_file():
        try:
            found = load_file(path)
            if set(found) == set(linears):
                return found
        except Exception:  # a damaged file is measured again
            pass
    maxima: dict[str, torch.Tensor] = {}

    def keep(name):
        def hook(module, args):
            x = args[0].detach().abs().flatten(0, -2).amax(0).float()
            maxima[name] = torch.maximum(maxima[name], x) if name in maxima else x
        return hook

    hooks = [linear.register_forward_pre_hook(keep(name)) for name, linear in linears.items()]
    try:
        windows = sorted(encoder.windows_of(_calibration_texts()), key=len)
        with torch.no_grad():
            for start in range(0, len(windows), 16):
                encoder(*encoder.batch(windows[start:start + 16], "cpu"))
    finally:
        for hook in hooks:
            hook.remove()
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        partial = path.with_name(f".{path.name}.partial-{id(maxima)}")
        save_file({k: v.contiguous() for k, v in maxima.items()}, str(partial))
        partial.replace(path)
    except OSError:  # a read-only cache folder: calibrate again next time
        pass
    return maxima


def calibration_tag() -> str:
    """A short digest of the calibration texts, for the vectors' cache key."""
    return hashlib.sha256(CALIBRATION.read_bytes()).hexdigest()[:8]


def _calibration_texts() -> list[str]:
    with CALIBRATION.open(encoding="utf-8", newline="") as f:
        return [row["text"] for row in csv.DictReader(f)]
