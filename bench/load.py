"""Many visitors at once: start `streamlit run app.py` and drive concurrent browser sessions (Chromium
through Playwright, one browser context, so one cookie jar and one Streamlit session, per visitor). Each
visitor uploads its own file of texts (its own rows, with its own marker word), loads it, waits for its
topics (embedded in the background), then moves the k slider a few times. Checks that no visitor sees
another's data (the sidebar names its own file and row count; its page holds its own marker and no one
else's) and that no page or server log shows an error; prints the server's peak memory (VmHWM and sampled
RSS of the server process), the time each visitor waited for its topics, and the median time of a
re-cluster (key press to the page settled) while every visitor works at once.

    .venv/bin/python bench/load.py                        # 10 visitors, 3 moves each (a few minutes)
    .venv/bin/python bench/load.py --sessions 3 --moves 1 --texts 12
"""
from __future__ import annotations

import argparse
import asyncio
import os
import random
import re
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--disable-sync"]
SUBJECTS = {"baking": "bread dough oven flour crust yeast loaf knead bake butter",
            "football": "goal striker match league keeper penalty team coach stadium derby",
            "savings": "budget savings interest bank fund loan pension debt invest account",
            "gardening": "garden soil seeds roses compost tomatoes weeds pots watering shed"}


def load_average() -> str:
    return "load average " + " / ".join(f"{x:.1f}" for x in os.getloadavg()) + f" on {os.cpu_count()} cores"


def visitor_file(folder: Path, n: int, texts: int, seed: int = 15) -> tuple[Path, str, int]:
    """A CSV of `texts` + n rows (so each visitor's row count differs) about four subjects, every text and
    user id carrying the visitor's marker word (the Topics page lists a topic's users as text; its texts
    are in a table drawn on a canvas); returns (path, marker, rows)."""
    rng = random.Random(seed * 1000 + n)
    marker = f"visitor{n:02d}mark"
    rows = texts + n
    lines = ["text,user"]
    for i in range(rows):
        subject = list(SUBJECTS)[i % len(SUBJECTS)]
        words = rng.sample(SUBJECTS[subject].split(), 6)
        lines.append(f"\"Today I wrote about {subject}: {' '.join(words)}, and more {words[0]} ({marker} {i})\","
                     f"{marker}-u{i % 5}")
    path = folder / f"visitor-{n:02d}.csv"
    path.write_text("\n".join(lines) + "\n")
    return path, marker, rows


class Server:
    """`streamlit run app.py` on a free loopback port with the project's configuration; its log in a file and
    its resident memory sampled every half second."""

    def __init__(self, env: dict | None = None):
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            self.port = s.getsockname()[1]
        self.url = f"http://127.0.0.1:{self.port}"
        self.log = tempfile.NamedTemporaryFile(prefix="topicdash-load-", suffix=".log", delete=False)
        self.process = subprocess.Popen(
            [sys.executable, "-m", "streamlit", "run", "app.py", "--server.port", str(self.port),
             "--server.address", "127.0.0.1", "--server.headless", "true", "--server.fileWatcherType", "none"],
            cwd=ROOT, env={**os.environ, "HF_HUB_OFFLINE": "1", **(env or {})}, stdout=self.log, stderr=subprocess.STDOUT)
        self.rss: list[tuple[float, int]] = []
        self._sampling = True
        threading.Thread(target=self._sample, daemon=True).start()
        deadline = time.monotonic() + 90
        while True:
            try:
                if urllib.request.urlopen(f"{self.url}/_stcore/health", timeout=2).read() == b"ok":
                    return
            except OSError:
                if self.process.poll() is not None or time.monotonic() > deadline:
                    self.stop()
                    raise RuntimeError(f"streamlit did not start:\n{self.errors()}")
                time.sleep(0.3)

    def _status(self, field: str) -> int:
        try:
            text = Path(f"/proc/{self.process.pid}/status").read_text()
        except OSError:
            return 0
        found = re.search(rf"^{field}:\s+(\d+) kB", text, re.M)
        return int(found.group(1)) * 1024 if found else 0

    def _sample(self) -> None:
        while self._sampling and self.process.poll() is None:
            self.rss.append((time.monotonic(), self._status("VmRSS")))
            time.sleep(0.5)

    def peak(self) -> int:
        """The most memory the server process has held resident (the kernel's high-water mark)."""
        return self._status("VmHWM")

    def now(self) -> int:
        return self._status("VmRSS")

    def errors(self) -> str:
        text = Path(self.log.name).read_text(errors="replace")
        return "\n".join(line for line in text.splitlines() if re.search(r"Traceback|Error|Exception", line))

    def stop(self) -> None:
        self._sampling = False
        self.process.terminate()
        try:
            self.process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.process.kill()


async def settled(page, text: str, timeout_s: float) -> None:
    """`text` is on the page and the script run that drew it has finished."""
    from playwright.async_api import expect

    await expect(page.get_by_text(text).first).to_be_visible(timeout=timeout_s * 1000)
    await expect(page.get_by_test_id("stApp")).to_have_attribute("data-test-script-state", "notRunning",
                                                                 timeout=timeout_s * 1000)


async def topics_metric(page) -> str:
    metric = page.get_by_test_id("stMetric").filter(has_text="Topics").first.get_by_test_id("stMetricValue")
    return (await metric.inner_text()).strip()


async def visit(browser, url: str, file: Path, marker: str, rows: int, moves: int, timeout_s: float) -> dict:
    """One visitor: upload, load, wait for the topics of the language model, move k `moves` times."""
    from playwright.async_api import expect

    context = await browser.new_context(viewport={"width": 1300, "height": 900})
    page = await context.new_page()
    page.set_default_timeout(timeout_s * 1000)
    result = {"file": file.name, "recluster_s": [], "problems": []}
    try:
        await page.goto(f"{url}/data")
        await settled(page, "Rows read", timeout_s)
        await page.get_by_test_id("stFileUploaderDropzoneInput").first.set_input_files(str(file))
        await page.get_by_role("button", name="Load this file").click()
        await settled(page, f"{file.name} is loaded", timeout_s)
        began = time.perf_counter()
        await page.get_by_test_id("stSidebarNav").get_by_role("link", name="Topics").click()
        await expect(page.get_by_test_id("stProgress")).to_have_count(0, timeout=timeout_s * 1000)
        await settled(page, "Inside a topic", timeout_s)
        result["topics_s"] = time.perf_counter() - began
        slider = page.get_by_role("slider").first
        for _ in range(moves):
            k = int(await topics_metric(page))
            await slider.focus()
            start = time.perf_counter()
            await slider.press("ArrowLeft")
            await expect(page.get_by_test_id("stMetric").filter(has_text="Topics").first.get_by_test_id(
                "stMetricValue")).to_have_text(str(k - 1), timeout=timeout_s * 1000)
            await settled(page, "Inside a topic", timeout_s)
            result["recluster_s"].append(time.perf_counter() - start)
        sidebar = await page.get_by_test_id("stSidebarUserContent").inner_text()
        if f"{file.name}\n{rows} texts" not in sidebar:
            result["problems"].append(f"the sidebar shows other data: {sidebar[:80]!r}")
        content = await page.content()
        others = sorted(set(re.findall(r"visitor\d\dmark", content)) - {marker})
        if marker not in content or others:
            result["problems"].append(f"own marker shown: {marker in content}; others' markers: {others}")
        if await page.get_by_test_id("stException").count():
            result["problems"].append("an exception is shown")
    except Exception as exc:  # a timeout or a missing element: reported with the others, not raised
        result["problems"].append(f"{type(exc).__name__}: {str(exc).splitlines()[0][:200]}")
    finally:
        await context.close()
    return result


async def drive(url: str, files: list[tuple[Path, str, int]], moves: int, timeout_s: float) -> list[dict]:
    """Every visitor at once, in one Chromium."""
    from playwright.async_api import async_playwright

    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        try:
            return await asyncio.gather(*(visit(browser, url, f, m, r, moves, timeout_s) for f, m, r in files))
        finally:
            await browser.close()


def run(sessions: int, moves: int, texts: int, timeout_s: float = 600, server: Server | None = None) -> dict:
    """Start a server (unless given), drive `sessions` visitors, and return what was measured."""
    own = server is None
    server = server or Server()
    try:
        with tempfile.TemporaryDirectory() as folder:
            files = [visitor_file(Path(folder), n, texts) for n in range(sessions)]
            idle = server.now()
            began = time.perf_counter()
            visits = asyncio.run(drive(server.url, files, moves, timeout_s))
            seconds = time.perf_counter() - began
        return {"visits": visits, "seconds": seconds, "idle_rss": idle, "peak": server.peak(),
                "sampled_peak": max((r for _, r in server.rss), default=0), "end_rss": server.now(),
                "server_errors": server.errors()}
    finally:
        if own:
            server.stop()


def report(figures: dict, sessions: int, moves: int, texts: int) -> str:
    visits = figures["visits"]
    times = [s for v in visits for s in v["recluster_s"]]
    waits = [v["topics_s"] for v in visits if "topics_s" in v]
    problems = [f"{v['file']}: {p}" for v in visits for p in v["problems"]]
    mb = 1024 * 1024
    lines = [f"{sessions} visitors at once, {texts}+n texts each, {moves} k moves each: {figures['seconds']:.0f} s "
             f"in all ({load_average()})",
             f"server memory: {figures['idle_rss'] / mb:.0f} MB before the visitors, peak {figures['peak'] / mb:.0f} MB "
             f"(VmHWM; sampled RSS peak {figures['sampled_peak'] / mb:.0f} MB), {figures['end_rss'] / mb:.0f} MB after",
             f"waited for own topics (upload to settled Topics page, embedding in the background): median "
             f"{statistics.median(waits):.1f} s, max {max(waits):.1f} s" if waits else "no visitor reached its topics",
             f"re-cluster under load (k key press to settled page), {len(times)} moves: median "
             f"{statistics.median(times):.2f} s, max {max(times):.2f} s" if times else "no re-cluster measured",
             f"visitors who saw only their own data, without errors: {sum(not v['problems'] for v in visits)} of "
             f"{len(visits)}",
             f"server log errors: {len(figures['server_errors'].splitlines())}"]
    return "\n".join(lines + [f"  problem: {p}" for p in problems]
                     + [f"  log: {line}" for line in figures["server_errors"].splitlines()[:10]])


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sessions", type=int, default=10)
    parser.add_argument("--moves", type=int, default=3, help="k slider moves per visitor")
    parser.add_argument("--texts", type=int, default=40, help="texts per visitor's file (plus its number)")
    args = parser.parse_args()
    cpu = next((line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
                if line.startswith("model name")), "unknown CPU")
    print(f"# bench/load.py --sessions {args.sessions} --moves {args.moves} --texts {args.texts}  "
          f"({load_average()}; CPU: {cpu}, {os.cpu_count()} cores)", flush=True)
    figures = run(args.sessions, args.moves, args.texts)
    print(report(figures, args.sessions, args.moves, args.texts))
    return 0 if all(not v["problems"] for v in figures["visits"]) and not figures["server_errors"] else 1


if __name__ == "__main__":
    sys.exit(main())
