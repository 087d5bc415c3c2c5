"""Where and in which precision a transformer runs: CUDA when torch sees a GPU, bf16 only where the hardware
computes it natively, and int8 on an x86 CPU for a model measured to keep its topics in it.

On a CPU with AVX-512 BF16 or AMX, bf16 weights embed about 2.8x faster than fp32 at cosine 0.9999;
on a CPU without them (AVX2 only) torch emulates bf16 and it runs about 5x slower than fp32
(bench/README.md, "Speed and scale"). So 'auto' picks bf16 only where it is native.
int8 (core.embedders.int8) embeds the multilingual model 1.3-1.6x faster than fp32 on two AVX2 cores at
cosine 0.998 to fp32 and keeps its topics (THUCNews k = 10 NMI 0.675 against 0.667; the demo 0.757 against
0.758 over five seeds; HDBSCAN 10 topics in all 20 projections measured since core.cluster splits a topic of
most texts). 'auto' picks it on an x86 CPU with AVX2 (where it was measured) without native bf16, for a model
whose entry says so (Model.cpu_precision); for any other model it is a choice by hand.
"""
from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from core.errors import CoreError

AUTO = "auto"
WARNING = "chosen by hand, but slow:"
PRECISIONS = (AUTO, "fp32", "bf16", "int8")
NATIVE_BF16_FLAGS = ("avx512_bf16", "amx_bf16")


def pick_device(device: str | None = None) -> str:
    import torch

    return device or ("cuda" if torch.cuda.is_available() else "cpu")


@lru_cache(maxsize=1)
def cpu_flags() -> frozenset[str]:
    """The CPU's feature flags (from /proc/cpuinfo; empty where it cannot be read)."""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("flags"):
                return frozenset(line.split(":", 1)[1].split())
    except OSError:
        pass
    return frozenset()


def native_bf16(device: str, flags: frozenset[str] | None = None) -> bool:
    """Does `device` compute bf16 natively: a CUDA GPU that supports it, or a CPU with AVX-512 BF16 / AMX?"""
    if device.startswith("cuda"):
        import torch

        return torch.cuda.is_bf16_supported()
    return any(flag in (cpu_flags() if flags is None else flags) for flag in NATIVE_BF16_FLAGS)


def resolve_precision(precision: str, device: str, flags: frozenset[str] | None = None,
                      cpu: str = "fp32") -> tuple[str, str]:
    """(precision, why): 'auto' becomes bf16 where the device computes it natively, else fp32 (or `cpu`, the
    model's own choice for a CPU, 'int8', on an x86 CPU with AVX2). A bf16 chosen by hand where it is not
    native is kept, and `why` starts with WARNING."""
    if precision not in PRECISIONS:
        raise CoreError(f"Unknown precision '{precision}'; use {', '.join(PRECISIONS)}.")
    if precision == "int8" and device.startswith("cuda"):
        raise CoreError("int8 runs on the CPU only; on a GPU choose auto (bf16) or fp32.")
    flags = cpu_flags() if flags is None else flags
    native = native_bf16(device, flags)
    where = "the GPU" if device.startswith("cuda") else "this CPU"
    if precision == AUTO:
        if native:
            return "bf16", f"auto: {where} computes bf16 natively"
        if cpu == "int8" and device == "cpu" and "avx2" in flags:
            return "int8", ("auto: this CPU has no native bf16 (no AVX-512 BF16 or AMX), and this model keeps "
                            "its topics in int8, which runs about 1.5x faster than fp32 here")
        return "fp32", f"auto: {where} has no native bf16 (no AVX-512 BF16 or AMX), so fp32 is faster"
    if precision == "bf16" and not native:
        return "bf16", (f"{WARNING} {where} has no native bf16, so bf16 runs several times slower than fp32 "
                        "here; choose auto or fp32")
    return precision, "chosen by hand"
