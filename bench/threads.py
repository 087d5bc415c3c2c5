"""Embedding speed with the threads `import core` gives BLAS and OpenMP (one per CPU the process can use,
core/cpus.py) against one thread per core the machine has (what numpy and torch take by themselves), in
alternating rounds, each in a new process (thread pools are sized when numpy and torch load). It shows a
difference only where a CPU quota caps the process below the machine's cores, e.g. a cgroup v1 quota of one CPU:

    mkdir /sys/fs/cgroup/cpu/one && echo 100000 > /sys/fs/cgroup/cpu/one/cpu.cfs_quota_us
    bash -c 'echo $$ > /sys/fs/cgroup/cpu/one/cgroup.procs; .venv/bin/python bench/threads.py --model use'
"""
from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time

from common import SHARED, cpu_line  # puts the project on the path; loads neither numpy nor torch

from core.cpus import THREAD_POOLS, cpu_quota, usable_cpus  # imports core: in a child, before numpy loads


def child(model: str, texts: int) -> None:
    import pandas as pd
    from threadpoolctl import threadpool_info

    from core.embedders import load_embedder

    titles = pd.read_csv(SHARED / "thucnews-dev" / "texts.csv").text.tolist()[:texts]
    embedder = load_embedder(model)
    embedder.embed(titles[:50])  # loads the weights
    start = time.perf_counter()
    embedder.embed(titles)
    pools = sorted({(p["internal_api"], p["num_threads"]) for p in threadpool_info()})
    print(f"{len(titles) / (time.perf_counter() - start):.0f} texts/s, thread pools {pools}", flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--model", default="use")
    parser.add_argument("--texts", type=int, default=2000)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        return child(args.model, args.texts)
    cores = os.cpu_count() or 1
    print(cpu_line())
    print(f"{args.model}, {args.texts} THUCNews titles; {len(os.sched_getaffinity(0))} cores in this process' "
          f"affinity, CPU quota {cpu_quota() or 'none'}: import core gives {usable_cpus()} thread(s)", flush=True)
    for round_ in range(1, args.rounds + 1):
        for name, extra in ((f"{cores} threads (one per core)", {pool: str(cores) for pool in THREAD_POOLS}),
                            ("the threads import core gives", {})):
            env = {k: v for k, v in os.environ.items() if k not in THREAD_POOLS} | extra
            print(f"round {round_}, {name}: ", end="", flush=True)
            subprocess.run([sys.executable, __file__, "--child", "--model", args.model, "--texts", str(args.texts)],
                           env=env, check=True)


if __name__ == "__main__":
    main()
