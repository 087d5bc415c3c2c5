"""End to end in a real browser: `streamlit run app.py` on a free port, driven through Debian's Chromium
with Playwright: demo -> topics (k changed with the keyboard) -> recommendations, then every other page.
A screenshot of each page is saved under test-output/."""
import asyncio
import importlib.util
import os
import random
import re
import shutil
import socket
import subprocess
import sys
import threading
import time
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SHOTS = ROOT / "test-output"
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--disable-sync"]
FIRST_RUN_S = 300  # a cold start embeds the demo and compiles UMAP's numba code
FIT_S = 180  # the Recommendations page fits the blend grid on a validation split (about 20 s on a quiet machine)


@pytest.fixture(scope="module")
def server():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    command = [sys.executable, "-m", "streamlit", "run", "app.py", "--server.port", str(port),
               "--server.address", "127.0.0.1", "--server.headless", "true", "--server.fileWatcherType", "none"]
    process = subprocess.Popen(command, cwd=ROOT, env={**os.environ, "HF_HUB_OFFLINE": "1"},
                               stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while True:
        try:
            if urllib.request.urlopen(f"{url}/_stcore/health", timeout=2).read() == b"ok":
                break
        except OSError:
            if process.poll() is not None or time.monotonic() > deadline:
                process.kill()
                pytest.fail(f"streamlit did not start:\n{process.stdout.read()}")
            time.sleep(0.5)
    yield url
    process.terminate()
    try:
        process.wait(timeout=20)
    except subprocess.TimeoutExpired:
        process.kill()


@pytest.fixture(scope="module")
def chromium():
    if not Path(CHROMIUM).is_file():
        pytest.skip("Chromium is not installed and could not be (apt-get install chromium chromium-driver; "
                    ".ci/run does this), so the browser test cannot run here.")
    return CHROMIUM


@pytest.fixture(scope="module")
def page(server, chromium):
    from playwright.sync_api import sync_playwright

    SHOTS.mkdir(exist_ok=True)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        tab = browser.new_page(viewport={"width": 1400, "height": 1000})
        tab.set_default_timeout(60_000)
        tab.goto(f"{server}/data")  # a link straight to a page, as the first request the server gets
        yield tab
        browser.close()


def open_page(page, title: str, ready: str, timeout_s: float = 60):
    """Click a page in the sidebar navigation and wait until `ready` is on the page and the run is over."""
    page.get_by_test_id("stSidebarNav").get_by_role("link", name=title).click()
    wait_for(page, ready, timeout_s)


def wait_for(page, text: str, timeout_s: float = 60):
    """Wait until `text` is visible and the script run that produced it has finished."""
    from playwright.sync_api import expect

    expect(page.get_by_text(text).first).to_be_visible(timeout=timeout_s * 1000)
    expect(page.get_by_test_id("stApp")).to_have_attribute("data-test-script-state", "notRunning",
                                                           timeout=timeout_s * 1000)


def metric(page, label: str):
    return page.get_by_test_id("stMetric").filter(has_text=label).first.get_by_test_id("stMetricValue")


def shoot(page, name: str) -> None:
    """A screenshot of the whole page: Streamlit scrolls inside its main block, so the window is
    made as tall as that block first."""
    height = page.get_by_test_id("stMain").evaluate("main => main.scrollHeight")
    page.set_viewport_size({"width": 1400, "height": min(max(height, 1000), 8000)})
    page.wait_for_timeout(500)  # charts re-layout to the new size
    page.screenshot(path=str(SHOTS / f"{name}.png"))
    page.set_viewport_size({"width": 1400, "height": 1000})


def test_demo_topics_and_recommendations_in_a_browser(page):
    from playwright.sync_api import expect

    wait_for(page, "Rows read")
    page.get_by_role("button", name="Open the bundled demo").click()
    wait_for(page, "The bundled demo is loaded")
    expect(page.get_by_text("Loaded: bundled demo")).to_be_visible()
    expect(metric(page, "Rows read")).to_have_text("343")
    expect(page.get_by_test_id("stSidebarUserContent")).to_contain_text("343 texts · 48 users · 80 items")
    shoot(page, "1-data")

    open_page(page, "Overview", "Next steps", FIRST_RUN_S)  # embeds (or reads the cache) and finds the topics
    expect(page.get_by_text("This is the bundled demo")).to_be_visible()
    shoot(page, "1b-overview")

    open_page(page, "Topics", "Inside a topic", FIRST_RUN_S)
    expect(metric(page, "Topics")).to_have_text("8")
    slider = page.get_by_role("slider").first
    slider.focus()
    start = time.perf_counter()
    for _ in range(3):
        slider.press("ArrowLeft")
    expect(metric(page, "Topics")).to_have_text("5", timeout=30_000)
    wait_for(page, "Inside a topic")
    print(f"\nk 8 -> 5 in the browser: the page had settled {time.perf_counter() - start:.2f} s after the key presses")
    expect(page.get_by_test_id("stSidebarUserContent")).to_contain_text("k = 5")
    shoot(page, "2-topics")

    page.get_by_text("Rename, merge or split topics").click()
    page.get_by_label("New name (empty: back to its keywords)").fill("Kitchen and recipes")
    page.get_by_role("button", name="Rename").click()
    wait_for(page, "0: Kitchen and recipes")
    shoot(page, "2b-renamed")

    open_page(page, "Recommendations", "Offline evaluation", FIT_S)
    # each reason names the signal that carried the item
    expect(page.locator("table").first).to_contain_text(re.compile("About |People who liked |Close to |Popular right now"))
    expect(page.get_by_text("The list and the evaluation both score items with")).to_be_visible()
    expect(page.locator("table").last).to_contain_text("popularity")
    page.get_by_label("A few sentences about what you like").fill("I bake sourdough bread and cook pasta at home.")
    page.get_by_role("button", name="Recommend for this text").click()
    wait_for(page, "Your text's topic mix")
    shoot(page, "3-recommendations")

    for number, (title, ready) in enumerate([("Embeddings", "coloured by topic"), ("Interests", "V: topics"),
                                             ("Topic views", "Topics over time"), ("Export", "Run settings")], 4):
        open_page(page, title, ready)
        shoot(page, f"{number}-{title.lower()}")
    expect(page.get_by_test_id("stDownloadButton")).to_have_count(26)  # 12 tables x CSV and JSON, metrics, run
    expect(page.get_by_test_id("stException")).to_have_count(0)


def test_two_sessions_on_one_server_keep_their_own_data(page, server, tmp_path):
    from playwright.sync_api import expect

    upload = tmp_path / "session-a.csv"
    upload.write_text("text,user\n" + "\n".join(f"Baking bread number {i} at home,u{i % 3}" for i in range(12)))
    page.get_by_test_id("stSidebarNav").get_by_role("link", name="Data").click()
    wait_for(page, "Rows read")
    page.get_by_test_id("stFileUploaderDropzoneInput").first.set_input_files(str(upload))
    page.get_by_role("button", name="Load this file").click()
    wait_for(page, "session-a.csv is loaded")

    other = page.context.browser.new_context().new_page()  # a second visitor: its own cookies, its own session
    other.set_default_timeout(60_000)
    other.goto(f"{server}/data")
    wait_for(other, "Rows read")
    expect(other.get_by_text("Loaded: bundled demo")).to_be_visible()
    expect(metric(other, "Rows read")).to_have_text("343")
    other.context.close()

    open_page(page, "Data", "Rows read")  # a fresh run of the first visitor's session: still their own data
    expect(page.get_by_test_id("stSidebarUserContent")).to_contain_text("session-a.csv")
    expect(metric(page, "Rows read")).to_have_text("12")


def test_adapting_shows_its_progress_and_result_without_clicks(page):
    """The progress panel redraws itself every second (st.fragment(run_every)), which AppTest cannot run."""
    from playwright.sync_api import expect

    open_page(page, "Embeddings", "coloured by topic")
    page.get_by_test_id("stMainBlockContainer").get_by_text("Bundled all-MiniLM-L6-v2 (English)", exact=True).click()
    expect(page.get_by_test_id("stSidebarUserContent")).to_contain_text("Bundled all-MiniLM-L6-v2")
    page.get_by_text("Adapt the model to these texts (experimental)").click()
    steps = page.get_by_label("Steps (32 texts each)")
    steps.fill("12")
    steps.press("Enter")
    wait_for(page, "Start adapting")
    page.get_by_role("button", name="Start adapting").click()
    expect(page.get_by_text("Adapting: step")).to_be_visible(timeout=60_000)
    expect(page.get_by_text("Saved the adapted model")).to_be_visible(timeout=FIRST_RUN_S * 1000)
    shoot(page, "7-adapted")
    page.get_by_role("button", name="Use the adapted model").click()
    expect(page.get_by_test_id("stSidebarUserContent")).to_contain_text("adapted from Bundled all-MiniLM-L6-v2")
    page.get_by_role("button", name="Delete this adapted model").click()
    page.get_by_role("button", name="Delete it").click()
    expect(page.get_by_test_id("stSidebarUserContent")).to_contain_text("Bundled all-MiniLM-L6-v2")
    expect(page.get_by_text("Deleted ")).to_be_visible()
    expect(page.get_by_test_id("stException")).to_have_count(0)


def test_a_corpus_embeds_in_the_background_with_progress_every_few_seconds_and_cancel(page, tmp_path):
    """The progress count moves at least every 5 s, the other pages work meanwhile (on the TF-IDF/LSA
    baseline), and Cancel ends the job keeping what was embedded."""
    from playwright.sync_api import expect

    rng = random.Random(time.time_ns())  # texts that no earlier run has put in the disk cache
    words = ("bread oven flour match goal league garden seeds roses budget savings bank river boat fishing camera "
             "lens photo guitar song concert engine wheel garage winter snow skiing market price shop").split()
    n = 1500  # about 300 tokens each: minutes of embedding here, so the job is still running when the Topics
    # page is checked (the panel is cancelled below, so CI pays for less than that); few texts, so that the
    # baseline's topics and map are quick to draw meanwhile (4,500 of 100 tokens took a minute longer)
    rows = [f"{' '.join(rng.choice(words) for _ in range(240))},u{i % 9}" for i in range(n)]
    upload = tmp_path / "long-corpus.csv"
    upload.write_text("text,user\n" + "\n".join(rows) + "\n")
    open_page(page, "Data", "Rows read")
    page.get_by_test_id("stFileUploaderDropzoneInput").first.set_input_files(str(upload))
    page.get_by_role("button", name="Load this file").click()
    wait_for(page, "long-corpus.csv is loaded")
    progress = page.get_by_test_id("stProgress").first
    expect(progress).to_contain_text("Embedding", timeout=FIRST_RUN_S * 1000)  # after the model loads

    def watch(seconds: float) -> list[float]:
        """The gaps between changes of the count, read 10 times a second for `seconds`."""
        changes, last = [], None
        end = time.monotonic() + seconds
        while time.monotonic() < end:
            try:
                found = re.search(r"Embedding ([\d,]+) of", progress.inner_text(timeout=1000))
            except Exception:  # redrawn just then
                found = None
            if found and found.group(1) != last:
                changes.append(time.monotonic())
                last = found.group(1)
            page.wait_for_timeout(100)
        assert len(changes) >= seconds / 5, changes
        return [b - a for a, b in zip(changes, changes[1:])]

    gaps = watch(12)
    open_page(page, "Topics", "Inside a topic", 120)  # usable meanwhile, on the baseline
    expect(page.get_by_text("TF-IDF/LSA baseline").first).to_be_visible()
    gaps += watch(6)
    print(f"\nprogress: longest gap {max(gaps):.1f} s between changes ({os.getloadavg()[0]:.1f} load average)")
    assert max(gaps) <= 5, gaps
    page.get_by_role("button", name="Cancel").click()
    expect(page.get_by_text("Embedding stopped")).to_be_visible(timeout=30_000)
    kept = int(re.search(r"stopped: ([\d,]+) texts", page.get_by_text("Embedding stopped").inner_text()).group(1)
               .replace(",", ""))
    assert 0 < kept < n
    expect(page.get_by_role("button", name="Resume embedding")).to_be_visible()
    expect(page.get_by_test_id("stException")).to_have_count(0)


def test_three_visitors_at_once_each_see_only_their_own_data(server, chromium, tmp_path):
    """The small version of bench/load.py: three browser sessions upload, load and re-cluster at once."""
    spec = importlib.util.spec_from_file_location("load", ROOT / "bench" / "load.py")
    load = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(load)
    files = [load.visitor_file(tmp_path, n, 12) for n in range(3)]
    visits = []
    runner = threading.Thread(target=lambda: visits.extend(asyncio.run(load.drive(server, files, 1, FIRST_RUN_S))))
    runner.start()  # its own thread: the sync Playwright of the other tests keeps an event loop in this one
    runner.join()
    assert len(visits) == 3 and all(not v["problems"] for v in visits), visits
    assert all(len(v["recluster_s"]) == 1 for v in visits)
