"""Who can reach the dashboard: started with the project's configuration (.streamlit/config.toml) it listens on
this computer only, so a non-loopback address of the machine is refused; `make share`'s address is reachable
there (which shows the check can see the difference). Uploads stay limited and XSRF protection on."""
import ipaddress
import os
import socket
import subprocess
import sys
import time
import tomllib
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def outward_addresses() -> list[str]:
    """This machine's addresses that are not loopback: those its routes to the outside leave from (a UDP
    'connect' sends nothing) and those its host name resolves to."""
    found = set()
    for family, target in ((socket.AF_INET, "192.0.2.1"), (socket.AF_INET, "10.255.255.254"),
                           (socket.AF_INET6, "2001:db8::1")):
        try:
            with socket.socket(family, socket.SOCK_DGRAM) as probe:
                probe.connect((target, 9))
                found.add(probe.getsockname()[0])
        except OSError:
            pass
    try:
        found |= {info[4][0] for info in socket.getaddrinfo(socket.gethostname(), None)}
    except OSError:
        pass
    return sorted(a for a in found if not ipaddress.ip_address(a.split("%")[0]).is_loopback)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def serve(*options: str):
    """`streamlit run app.py` with the project's configuration plus `options`, once it answers on loopback."""
    port = free_port()
    process = subprocess.Popen([sys.executable, "-m", "streamlit", "run", "app.py", "--server.port", str(port),
                                "--server.headless", "true", "--server.fileWatcherType", "none", *options],
                               cwd=ROOT, env={**os.environ, "HF_HUB_OFFLINE": "1"},
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 60
    while True:
        try:
            if urllib.request.urlopen(f"http://127.0.0.1:{port}/_stcore/health", timeout=2).read() == b"ok":
                return process, port
        except OSError:
            if process.poll() is not None or time.monotonic() > deadline:
                process.kill()
                pytest.fail("streamlit did not start")
            time.sleep(0.3)


def reachable(address: str, port: int) -> bool:
    try:
        with socket.create_connection((address.split("%")[0], port), timeout=3):
            return True
    except OSError:
        return False


def stop(process) -> None:
    process.terminate()
    try:
        process.wait(timeout=20)
    except subprocess.TimeoutExpired:
        process.kill()


def test_the_configured_server_is_unreachable_from_the_network_and_sharing_makes_it_reachable():
    addresses = outward_addresses()
    if not addresses:
        pytest.skip("this machine has no address besides loopback")
    process, port = serve()
    try:
        assert reachable("127.0.0.1", port)
        assert not [a for a in addresses if reachable(a, port)], f"reachable from {addresses}"
    finally:
        stop(process)
    process, port = serve("--server.address", "0.0.0.0")  # what `make share` does
    try:
        assert any(reachable(a, port) for a in addresses if ipaddress.ip_address(a.split("%")[0]).version == 4)
    finally:
        stop(process)


def test_uploads_are_limited_and_xsrf_protection_is_on():
    config = tomllib.loads((ROOT / ".streamlit" / "config.toml").read_text())["server"]
    assert config["address"] == "localhost" and config["maxUploadSize"] == 200
    assert config["enableXsrfProtection"] is True
