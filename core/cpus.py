"""How many CPUs this process can really use: the cores it may run on, or fewer where a CPU quota caps it (a
container started with `--cpus`, a Kubernetes CPU limit).

numpy's BLAS, OpenMP and torch start one thread per core they see, and under a quota the threads beyond it
wait for their share of time while the others wait for them: with a quota of one CPU on a two-core machine
the Universal Sentence Encoder embedded 343-437 THUCNews titles/s on two threads and 487-672 on one
(bench/threads.py; bench/README.md, "Speed and scale"). Standard library only: core/__init__ reads it before
numpy loads.
"""
from __future__ import annotations

import math
import os
import threading
from contextlib import contextmanager
from pathlib import Path

THREAD_POOLS = ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS")  # what OpenMP/torch and BLAS read


def size_thread_pools() -> None:
    """Give OpenMP, torch and BLAS one thread per usable CPU where that is fewer than the machine's cores
    (unless the user set them); run before numpy or torch loads, as core/__init__ does."""
    cpus = usable_cpus()
    if cpus < (os.cpu_count() or 1):
        for name in THREAD_POOLS:
            os.environ.setdefault(name, str(cpus))


def usable_cpus(root: Path = Path("/")) -> int:
    """The cores this process may run on (its affinity), capped by its cgroup's CPU quota rounded up."""
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1
    quota = cpu_quota(root)
    return max(1, min(cores, math.ceil(quota))) if quota else cores


def cpu_quota(root: Path = Path("/")) -> float | None:
    """The tightest CPU quota, in CPUs, of this process's cgroup and the cgroups above it as mounted under
    `root` (cgroup v2's cpu.max; v1's cpu.cfs_quota_us over cpu.cfs_period_us); None when there is none or
    it cannot be read."""
    try:
        lines = (root / "proc/self/cgroup").read_text().splitlines()
    except OSError:
        return None
    quotas = []
    for line in lines:
        number, controllers, path = (line.split(":", 2) + ["", ""])[:3]
        if number == "0" and not controllers:
            mounts = [root / "sys/fs/cgroup"]
        elif "cpu" in controllers.split(","):
            mounts = [root / "sys/fs/cgroup" / name for name in dict.fromkeys((controllers, "cpu", "cpu,cpuacct"))]
        else:
            continue
        for mount in mounts:
            folder = mount / path.strip("/")
            while True:  # the cgroup and its parents; inside a container the mount may start at its own
                quota = _v2(folder) if number == "0" else _v1(folder)
                if quota:
                    quotas.append(quota)
                if folder == mount:
                    break
                folder = folder.parent
    return min(quotas) if quotas else None


def _v2(folder: Path) -> float | None:
    try:
        limit, period = (folder / "cpu.max").read_text().split()[:2]
        return None if limit == "max" else int(limit) / int(period)
    except (OSError, ValueError):
        return None


def _v1(folder: Path) -> float | None:
    try:
        limit = int((folder / "cpu.cfs_quota_us").read_text())
        period = int((folder / "cpu.cfs_period_us").read_text())
    except (OSError, ValueError):
        return None
    return limit / period if limit > 0 and period > 0 else None


_one_thread = threading.RLock()


@contextmanager
def one_blas_thread(user_api: str | None = None):
    """threadpoolctl's limit of one BLAS (and OpenMP) thread, held by one Python thread at a time. The limit is
    process-wide: two threads entering and leaving it interleaved let a UMAP fit finish on two BLAS threads,
    which gives another layout and other topics (the app's UMAP warm-up beside its first projection did)."""
    from threadpoolctl import threadpool_limits

    with _one_thread, threadpool_limits(1, user_api):
        yield
