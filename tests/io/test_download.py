"""fastnet.download against real HTTP servers on 127.0.0.1 (no internet needed).

Each server serves an in-memory {name: bytes} dict; per file name a mode says how:
"good", "wrong" (same length, other bytes), "truncated" (full Content-Length, half
the body, then close), "nolength" (no Content-Length header), "404" or "hang" (never
answers). "Server down" is a port nothing listens on.
"""
import gzip
import hashlib
import socket
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from fastnet.io import download
from fastnet.io.download import DownloadError, fetch_mnist, verify
from fastnet.io.idx import IDX_FILES, read_idx

NAMES = [f"{n}.gz" for n in IDX_FILES.values()]
TIMEOUT = 5


def corrupt(body):
    """Same length, one byte in the middle flipped."""
    k = len(body) // 2
    return body[:k] + bytes([body[k] ^ 0xFF]) + body[k + 1:]


class _Handler(BaseHTTPRequestHandler):
    def do_GET(self):
        srv = self.server
        name = self.path.rsplit("/", 1)[-1]
        srv.requests.append(name)
        mode = srv.modes.get(name, srv.mode)
        body = srv.files.get(name)
        if mode == "hang":
            srv.release.wait(10)
            return
        if body is None or mode == "404":
            self.send_error(404)
            return
        if mode == "wrong":
            body = corrupt(body)
        self.send_response(200)
        if mode != "nolength":
            self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body[: len(body) // 2] if mode == "truncated" else body)

    def log_message(self, *args):
        pass


class Server:
    def __init__(self, files, mode="good"):
        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
        self.httpd.files, self.httpd.mode, self.httpd.modes = files, mode, {}
        self.httpd.requests, self.httpd.release = [], threading.Event()
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}/mnist/"
        self.thread = threading.Thread(target=self.httpd.serve_forever,
                                       kwargs={"poll_interval": 0.02}, daemon=True)
        self.thread.start()

    @property
    def requests(self):
        return self.httpd.requests

    @property
    def modes(self):
        return self.httpd.modes

    def stop(self):
        self.httpd.release.set()
        self.httpd.shutdown()
        self.httpd.server_close()
        self.thread.join(TIMEOUT)


@pytest.fixture
def serve():
    """serve(files, mode="good") -> a running Server; all are stopped at teardown."""
    servers = []

    def start(files, mode="good"):
        servers.append(Server(files, mode))
        return servers[-1]

    yield start
    for s in servers:
        s.stop()


@pytest.fixture
def down_url():
    """Base URL of a port nothing listens on."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    return f"http://127.0.0.1:{port}/mnist/"


@pytest.fixture
def fake(monkeypatch):
    """Small gzipped stand-ins for the four files, with SHA256/CONTENT_SHA256 patched."""
    content = {n: f"fake content of {n}\n".encode() * (1000 + 100 * i)
               for i, n in enumerate(NAMES)}
    files = {n: gzip.compress(c, mtime=0) for n, c in content.items()}
    monkeypatch.setattr(download, "SHA256",
                        {n: hashlib.sha256(b).hexdigest() for n, b in files.items()})
    monkeypatch.setattr(download, "CONTENT_SHA256",
                        {n: hashlib.sha256(c).hexdigest() for n, c in content.items()})
    return files


def leftovers(folder):
    """Files in ``folder`` other than the four final names (temporary files)."""
    return sorted(p.name for p in Path(folder).iterdir() if p.name not in NAMES)


def assert_complete(folder, files):
    for n in NAMES:
        assert (folder / n).read_bytes() == files[n]
        assert verify(folder / n)
    assert leftovers(folder) == []


# -- real MNIST: the real digests ---------------------------------------------------

def test_real_files_from_first_mirror(serve, down_url, mnist_dir, tmp_path):
    real = {n: (mnist_dir / n).read_bytes() for n in NAMES}
    first, second = serve(real), serve(real)
    out = tmp_path / "cache"
    assert fetch_mnist(out, mirrors=(first.url, second.url, down_url), timeout=TIMEOUT) == out
    assert_complete(out, real)
    assert sorted(first.requests) == sorted(NAMES) and second.requests == []
    for n in NAMES:  # the real data, by the hard-coded digest of its content
        content = gzip.decompress((out / n).read_bytes())
        assert hashlib.sha256(content).hexdigest() == download.CONTENT_SHA256[n]
    assert read_idx(out / "train-images-idx3-ubyte.gz").shape == (60000, 28, 28)
    assert read_idx(out / "train-labels-idx1-ubyte.gz").shape == (60000,)
    assert read_idx(out / "t10k-images-idx3-ubyte.gz").shape == (10000, 28, 28)
    assert read_idx(out / "t10k-labels-idx1-ubyte.gz").shape == (10000,)


def test_real_wrong_bytes_fall_back_to_second_mirror(serve, mnist_dir, tmp_path):
    real = {n: (mnist_dir / n).read_bytes() for n in NAMES}
    bad, good = serve(real, mode="wrong"), serve(real)
    fetch_mnist(tmp_path, mirrors=(bad.url, good.url), timeout=TIMEOUT)
    assert_complete(tmp_path, real)
    assert sorted(bad.requests) == sorted(good.requests) == sorted(NAMES)


def test_hard_coded_digests_are_the_published_ones():
    assert set(download.SHA256) == set(download.CONTENT_SHA256) == set(NAMES)
    assert download.SHA256["train-images-idx3-ubyte.gz"].startswith("440fcabf73cc546f")
    assert download.MIRRORS[0] == "https://ossci-datasets.s3.amazonaws.com/mnist/"


# -- fallback to the next mirror -----------------------------------------------------

@pytest.mark.parametrize("mode", ["wrong", "truncated", "404", "down"])
def test_first_mirror_bad_second_good(mode, serve, down_url, fake, tmp_path):
    first = down_url if mode == "down" else serve(fake, mode=mode).url
    good = serve(fake)
    fetch_mnist(tmp_path, mirrors=(first, good.url), timeout=TIMEOUT)
    assert_complete(tmp_path, fake)  # final files are the good bytes, no .part left
    assert sorted(good.requests) == sorted(NAMES)


def test_timeout_falls_back(serve, fake, tmp_path):
    hanging, good = serve(fake), serve(fake)
    hanging.modes[NAMES[1]] = "hang"
    fetch_mnist(tmp_path, mirrors=(hanging.url, good.url), timeout=0.3)
    assert_complete(tmp_path, fake)
    assert good.requests == [NAMES[1]]
    (tmp_path / NAMES[1]).unlink()
    with pytest.raises(DownloadError, match=r"timed out after 0\.3 s"):
        fetch_mnist(tmp_path, mirrors=(hanging.url,), timeout=0.3)
    assert leftovers(tmp_path) == []


def test_regzipped_same_content_is_accepted(serve, fake, tmp_path):
    content = {n: gzip.decompress(b) for n, b in fake.items()}
    regz = {n: gzip.compress(c, compresslevel=1, mtime=12345) for n, c in content.items()}
    assert all(regz[n] != fake[n] for n in NAMES)
    server = serve(regz)
    fetch_mnist(tmp_path, mirrors=server.url, timeout=TIMEOUT)
    assert_complete(tmp_path, regz)


def test_no_content_length_and_progress(serve, fake, tmp_path):
    server = serve(fake, mode="nolength")
    calls = []
    fetch_mnist(tmp_path, mirrors=(server.url,), timeout=TIMEOUT,
                progress=lambda *a: calls.append(a))
    assert_complete(tmp_path, fake)
    assert {c[0] for c in calls} == set(NAMES)
    assert all(total is None for _, _, total in calls)


def test_progress_callback(serve, fake, tmp_path):
    server = serve(fake)
    calls = []
    fetch_mnist(tmp_path, mirrors=(server.url,), timeout=TIMEOUT,
                progress=lambda *a: calls.append(a))
    for n in NAMES:
        mine = [(done, total) for name, done, total in calls if name == n]
        assert mine and mine[-1] == (len(fake[n]), len(fake[n]))
        assert [d for d, _ in mine] == sorted(d for d, _ in mine)


# -- every mirror fails ---------------------------------------------------------------

def test_all_mirrors_fail(serve, down_url, fake, tmp_path):
    target = "t10k-labels-idx1-ubyte.gz"  # last in order: the other three succeed first
    a = serve(fake, mode="404")
    b, c = serve(fake), serve(fake)
    b.modes[target], c.modes[target] = "wrong", "truncated"
    mirrors = (a.url, b.url, c.url, down_url)
    with pytest.raises(DownloadError) as info:
        fetch_mnist(tmp_path, mirrors=mirrors, timeout=TIMEOUT)
    err = info.value
    assert isinstance(err, RuntimeError) and err.name == target
    assert [url for url, _ in err.failures] == [m + target for m in mirrors]
    msg = str(err)
    for url in mirrors:
        assert url + target in msg
    wrong_digest = hashlib.sha256(corrupt(fake[target])).hexdigest()
    assert "HTTP 404" in msg
    assert f"checksum mismatch: got sha256 {wrong_digest}" in msg
    assert f"truncated: {len(fake[target]) // 2} of {len(fake[target])} bytes" in msg
    assert "connection refused" in msg
    assert not (tmp_path / target).exists() and leftovers(tmp_path) == []
    for n in NAMES[:3]:
        assert verify(tmp_path / n)


def test_all_mirrors_down_real_digests(down_url, tmp_path):
    with pytest.raises(RuntimeError, match="connection refused"):
        fetch_mnist(tmp_path / "x", mirrors=(down_url,), timeout=TIMEOUT)
    assert list((tmp_path / "x").iterdir()) == []


# -- files already present ------------------------------------------------------------

def test_existing_correct_file_not_downloaded_again(serve, fake, tmp_path):
    kept = NAMES[0]
    (tmp_path / kept).write_bytes(fake[kept])
    server = serve(fake)
    fetch_mnist(tmp_path, mirrors=(server.url,), timeout=TIMEOUT)
    assert sorted(server.requests) == sorted(NAMES[1:])
    fetch_mnist(tmp_path, mirrors=(server.url,), timeout=TIMEOUT)  # all there: no requests
    assert len(server.requests) == 3
    assert_complete(tmp_path, fake)


def test_existing_wrong_file_is_replaced(serve, fake, tmp_path):
    bad = NAMES[1]
    (tmp_path / bad).write_bytes(b"not mnist")
    server = serve(fake)
    with pytest.warns(UserWarning, match="wrong checksum"):
        fetch_mnist(tmp_path, mirrors=(server.url,), timeout=TIMEOUT)
    assert sorted(server.requests) == sorted(NAMES)
    assert_complete(tmp_path, fake)


def test_existing_wrong_file_removed_when_download_fails(down_url, fake, tmp_path):
    for n in NAMES:
        (tmp_path / n).write_bytes(fake[n])
    (tmp_path / NAMES[2]).write_bytes(b"corrupt")
    with pytest.warns(UserWarning), pytest.raises(DownloadError):
        fetch_mnist(tmp_path, mirrors=(down_url,), timeout=TIMEOUT)
    assert not (tmp_path / NAMES[2]).exists() and leftovers(tmp_path) == []


# -- verify / defaults ----------------------------------------------------------------

def test_verify(fake, tmp_path):
    p = tmp_path / NAMES[0]
    assert not verify(p)  # missing
    p.write_bytes(fake[NAMES[0]])
    assert verify(p)
    p.write_bytes(fake[NAMES[0]][:-1])
    assert not verify(p)
    p.write_bytes(fake[NAMES[1]])  # another file's bytes under this name
    assert not verify(p)
    with pytest.raises(ValueError, match="not an MNIST file name"):
        verify(tmp_path / "mnist.pkl.gz")


def test_default_folder_is_cache_dir(serve, fake, tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    server = serve(fake)
    folder = fetch_mnist(mirrors=[server.url], timeout=TIMEOUT)
    assert folder == tmp_path / "fastnet" / "mnist"
    assert_complete(folder, fake)


def test_no_mirrors_is_an_error(tmp_path):
    with pytest.raises(ValueError):
        fetch_mnist(tmp_path, mirrors=())


def test_ctrl_c_midway_leaves_no_partial_file(serve, fake, tmp_path):
    """Ctrl-C while the second file arrives: the first stays (complete, verified), the
    second has neither its name nor a temporary file left behind."""
    server = serve(fake)

    def interrupt_the_second(name, done, total):
        if name == NAMES[1]:
            raise KeyboardInterrupt
    with pytest.raises(KeyboardInterrupt):
        fetch_mnist(tmp_path, mirrors=(server.url,), timeout=TIMEOUT,
                    progress=interrupt_the_second)
    assert (tmp_path / NAMES[0]).read_bytes() == fake[NAMES[0]]
    assert sorted(p.name for p in tmp_path.iterdir()) == [NAMES[0]]
