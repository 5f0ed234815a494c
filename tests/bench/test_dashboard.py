"""The asv dashboard as people see it: the published HTML (``python benchmarks/publish.py``)
served on 127.0.0.1 and opened in headless Chromium, driven over the DevTools protocol
on a pipe. The training-epoch graph must draw points for more than one commit, with
every file the page asks for served from its own folder (no CDN); a screenshot of the
graph goes to docs/asv_dashboard.png.

Outside CI the test skips when Chromium or the published HTML is missing; with
``FASTNET_REQUIRE_DASHBOARD=1`` (set by .ci/run) either is a failure.
"""
import base64
import fcntl
import functools
import http.server
import json
import os
import select
import shutil
import subprocess
import tempfile
import threading
import time
from pathlib import Path
from typing import Optional
from urllib.parse import quote

import pytest

REPO = Path(__file__).resolve().parents[2]
HTML = REPO / ".asv" / "html"
SCREENSHOT = REPO / "docs" / "asv_dashboard.png"
GRAPH = "bench_training.TrainEpoch.time_epoch"
#: the graph shown: sizes x threads for one batch size and dtype, on the committed machines
SELECTION = {"p-batch": ["10"], "p-dtype": ["'float32'"]}
CHROMIUM_FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
                  "--no-first-run", "--disable-background-networking",
                  "--disable-component-update", "--disable-sync", "--hide-scrollbars",
                  "--remote-debugging-pipe"]
TIMEOUT = 60.0
#: per line of the graph: the x positions (commits) that have a value
POINTS = """(function () {
    if (typeof $ === "undefined") return null;
    var plot = $("#main-graph").data("plot");
    if (!plot) return null;
    return plot.getData().map(function (series) {
        return series.data.filter(function (p) { return p && p[1] !== null; })
                          .map(function (p) { return p[0]; });
    });
})()"""


def missing(reason: str):
    if os.environ.get("FASTNET_REQUIRE_DASHBOARD") == "1":
        pytest.fail(reason + " (FASTNET_REQUIRE_DASHBOARD=1)")
    pytest.skip(reason)


def above_4(fd: int) -> int:
    """``fd`` moved to a number above 4 (close-on-exec), so that the child's dup2 onto 3
    and 4 overwrites none of the pipe ends it still needs."""
    moved = fcntl.fcntl(fd, fcntl.F_DUPFD_CLOEXEC, 10)
    os.close(fd)
    return moved


class DevTools:
    """Chromium started with --remote-debugging-pipe: commands written to its fd 3, answers
    and events read from its fd 4, as NUL-terminated JSON."""

    def __init__(self, executable: str, profile: str):
        to_browser_r, self._to_browser = map(above_4, os.pipe())
        self._from_browser, from_browser_w = map(above_4, os.pipe())

        def fds_3_and_4():  # in the child; every other descriptor is close-on-exec
            os.dup2(to_browser_r, 3)
            os.dup2(from_browser_w, 4)

        self.process = subprocess.Popen(
            [executable, *CHROMIUM_FLAGS, f"--user-data-dir={profile}", "about:blank"],
            close_fds=False, preexec_fn=fds_3_and_4,
            stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        os.close(to_browser_r)
        os.close(from_browser_w)
        self._buffer, self._next_id, self.events = b"", 0, []

    def _read_message(self, deadline: float) -> dict:
        while b"\0" not in self._buffer:
            left = deadline - time.monotonic()
            if left <= 0 or not select.select([self._from_browser], [], [], left)[0]:
                raise TimeoutError("Chromium did not answer in time")
            chunk = os.read(self._from_browser, 1 << 16)
            if not chunk:
                raise RuntimeError(f"Chromium exited (status {self.process.poll()})")
            self._buffer += chunk
        message, self._buffer = self._buffer.split(b"\0", 1)
        return json.loads(message)

    def call(self, method: str, route: Optional[dict] = None, **params) -> dict:
        """``method`` with ``params``, sent to the browser, or to the page whose
        ``Target.attachToTarget`` answer is ``route`` (its one key names the page)."""
        self._next_id += 1
        message = {"id": self._next_id, "method": method, "params": params, **(route or {})}
        os.write(self._to_browser, json.dumps(message).encode() + b"\0")
        deadline = time.monotonic() + TIMEOUT
        while True:
            answer = self._read_message(deadline)
            if answer.get("id") != self._next_id:
                self.events.append(answer)
                continue
            if "error" in answer:
                raise RuntimeError(f"{method}: {answer['error']}")
            return answer["result"]

    def close(self) -> None:
        try:
            self.call("Browser.close")
        except (RuntimeError, TimeoutError, OSError):
            pass
        try:
            self.process.wait(10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        os.close(self._to_browser)
        os.close(self._from_browser)


@pytest.fixture
def served_dashboard():
    """The published HTML folder on 127.0.0.1, at a free port; the server stops after."""
    if not (HTML / "index.html").is_file():
        missing(f"no published dashboard at {HTML}: run python benchmarks/publish.py")

    class Quiet(http.server.SimpleHTTPRequestHandler):
        def log_message(self, *args):
            pass

    server = http.server.ThreadingHTTPServer(
        ("127.0.0.1", 0), functools.partial(Quiet, directory=str(HTML)))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


@pytest.fixture
def browser():
    executable = shutil.which("chromium") or shutil.which("chromium-browser")
    if executable is None:
        missing("Chromium is not installed (Debian: apt-get install chromium)")
    with tempfile.TemporaryDirectory() as profile:
        devtools = DevTools(executable, profile)
        try:
            yield devtools
        finally:
            devtools.close()


def committed_machines():
    return sorted(p.parent.name for p in (REPO / "benchmarks" / "results").glob("*/machine.json"))


def test_training_epoch_graph_has_points_for_several_commits(served_dashboard, browser):
    machines = committed_machines()
    assert machines, "no committed results in benchmarks/results"
    selection = dict(SELECTION, machine=machines)
    query = "&".join(f"{key}={quote(value)}" for key, values in selection.items() for value in values)
    url = f"{served_dashboard}index.html#{GRAPH}?{query}"

    target = browser.call("Target.createTarget", url="about:blank")["targetId"]
    page = browser.call("Target.attachToTarget", targetId=target, flatten=True)
    browser.call("Network.enable", page)
    browser.call("Emulation.setDeviceMetricsOverride", page,
                 width=1280, height=860, deviceScaleFactor=1, mobile=False)
    browser.call("Page.navigate", page, url=url)

    points, deadline = None, time.monotonic() + TIMEOUT
    while time.monotonic() < deadline:
        points = browser.call("Runtime.evaluate", page, expression=POINTS,
                              returnByValue=True)["result"].get("value")
        if points and max(map(len, points)) > 1:
            break
        time.sleep(0.5)
    text = browser.call("Runtime.evaluate", page, expression="document.body.innerText",
                        returnByValue=True)["result"].get("value", "")
    assert "failed to load" not in text, text[:500]
    requested = {event["params"]["request"]["url"] for event in browser.events
                 if event.get("method") == "Network.requestWillBeSent"}
    foreign = sorted(u for u in requested if not u.startswith((served_dashboard, "data:")))
    assert not foreign, f"the page loads files from elsewhere: {foreign}"
    assert points, f"no graph drawn at {url}; the page says: {text[:500]!r}"
    commits = max(len(set(line)) for line in points)
    assert commits > 1, f"the training-epoch graph has points for {commits} commit(s) only"
    time.sleep(0.5)  # the graph's last frame
    shot = browser.call("Page.captureScreenshot", page, format="png")["data"]
    SCREENSHOT.write_bytes(base64.b64decode(shot))
