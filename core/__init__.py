"""UI-free core of the topic dashboard: read texts, embed, cluster into topics, describe them, build
user interests, recommend, and evaluate. Nothing here imports Streamlit."""
import os

# Set before torch, scikit-learn or numba start their thread pools (they read these once, at load):
# - OpenMP threads that spin while they wait hold a core that other work needs: with one other busy
#   process on a 2-core machine, embedding ran 2x slower on 2 threads than on 1. Passive waiting
#   keeps 2 threads as fast as 1 under load and faster when the machine is free.
# - oneDNN keeps a compiled kernel per matrix shape, and batches of many lengths would grow memory
#   by about 25 MB per 1,000 texts in bf16 (3 GB over 100,000); a few kernels cost no speed.
os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")
os.environ.setdefault("ONEDNN_PRIMITIVE_CACHE_CAPACITY", "8")
# - One thread per CPU this process can use (core.cpus) where that is fewer than the machine's cores, as
#   under a container's CPU quota: threads beyond it only wait for their share of time.
from core.cpus import size_thread_pools  # noqa: E402  (standard library only)

size_thread_pools()

from core.errors import CoreError  # noqa: E402

__all__ = ["CoreError"]
