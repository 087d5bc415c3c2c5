"""The CPUs a process can use: cgroup v1 and v2 quotas read from real files laid out as Linux mounts them,
and `import core` giving BLAS and OpenMP one thread per usable CPU."""
import os
import subprocess
import sys
from pathlib import Path

import pytest

from core.cpus import cpu_quota, usable_cpus

ROOT = Path(__file__).resolve().parent.parent


def tree(tmp_path: Path, cgroup: str, files: dict[str, str]) -> Path:
    (tmp_path / "proc/self").mkdir(parents=True)
    (tmp_path / "proc/self/cgroup").write_text(cgroup)
    for name, text in files.items():
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text(text)
    return tmp_path


def test_a_v2_quota_of_one_and_a_half_cpus_allows_two_threads(tmp_path):
    root = tree(tmp_path, "0::/app.slice/dashboard\n", {"sys/fs/cgroup/app.slice/dashboard/cpu.max": "150000 100000\n"})
    assert cpu_quota(root) == 1.5
    assert usable_cpus(root) == min(2, len(os.sched_getaffinity(0)))


def test_the_tightest_quota_of_the_cgroup_and_its_parents_counts(tmp_path):
    root = tree(tmp_path, "0::/app.slice/dashboard\n", {"sys/fs/cgroup/app.slice/dashboard/cpu.max": "max 100000\n",
                                                         "sys/fs/cgroup/app.slice/cpu.max": "100000 100000\n",
                                                         "sys/fs/cgroup/cpu.max": "400000 100000\n"})
    assert cpu_quota(root) == 1.0 and usable_cpus(root) == 1


def test_a_v1_quota_in_a_container_that_sees_its_own_cgroup_as_the_mount(tmp_path):
    root = tree(tmp_path, "5:memory:/docker/abc\n4:cpu,cpuacct:/docker/abc\n",
                {"sys/fs/cgroup/cpu,cpuacct/cpu.cfs_quota_us": "50000\n", "sys/fs/cgroup/cpu,cpuacct/cpu.cfs_period_us": "100000\n"})
    assert cpu_quota(root) == 0.5 and usable_cpus(root) == 1


def test_no_quota_or_no_cgroup_leaves_the_cores(tmp_path):
    root = tree(tmp_path, "1:cpu:/\n0::/\n", {"sys/fs/cgroup/cpu/cpu.cfs_quota_us": "-1\n",
                                             "sys/fs/cgroup/cpu/cpu.cfs_period_us": "100000\n",
                                             "sys/fs/cgroup/cpu.max": "max 100000\n"})
    assert cpu_quota(root) is None
    assert cpu_quota(tmp_path / "nowhere") is None
    assert usable_cpus(root) == len(os.sched_getaffinity(0))


@pytest.mark.skipif((os.cpu_count() or 1) < 2, reason="needs two cores to run on fewer")
def test_import_core_on_one_of_the_cores_gives_blas_and_openmp_one_thread():
    code = ("import os; os.sched_setaffinity(0, {min(os.sched_getaffinity(0))}); import core; "
            "print(os.environ['OPENBLAS_NUM_THREADS'], os.environ['OMP_NUM_THREADS'])")
    env = {k: v for k, v in os.environ.items() if not k.endswith("_NUM_THREADS")}
    done = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, timeout=60)
    assert done.returncode == 0 and done.stdout.split() == ["1", "1"], done.stderr
