"""Every way of naming no data finds it the same way: ``--data`` / ``path``, then
``$FASTNET_DATA``, then the cache folder, downloading MNIST there (checksum-verified)
when it is missing. The mirror is a server on 127.0.0.1 serving the real files."""
import functools
import http.server
import os
import subprocess
import sys
import threading

import pytest

from fastnet.io.idx import IDX_FILES


@pytest.fixture
def mirror(mnist_dir):
    """An HTTP server on 127.0.0.1 serving the four MNIST files; stopped after the test."""
    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(mnist_dir))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{server.server_port}/"
    finally:
        server.shutdown()
        server.server_close()


def fresh_machine(tmp_path, mirror) -> dict:
    """No $FASTNET_DATA, an empty cache folder, the local mirror."""
    env = {k: v for k, v in os.environ.items() if k != "FASTNET_DATA"}
    env.update(XDG_CACHE_HOME=str(tmp_path / "cache"), FASTNET_MNIST_MIRRORS=mirror)
    return env


def cached_files(tmp_path):
    return sorted(p.name for p in (tmp_path / "cache" / "fastnet" / "mnist").iterdir())


def test_the_books_loader_downloads_mnist_on_a_fresh_machine(tmp_path, mirror):
    code = ("from fastnet import mnist_loader; t, v, s = mnist_loader.load_data_wrapper(); "
            "print(len(t), len(v), len(s))")
    run = subprocess.run([sys.executable, "-c", code], env=fresh_machine(tmp_path, mirror),
                         capture_output=True, text=True, timeout=300)
    assert run.returncode == 0, run.stderr
    assert run.stdout.split() == ["50000", "10000", "10000"]
    assert "downloading it into" in run.stderr
    assert cached_files(tmp_path) == sorted(f"{name}.gz" for name in IDX_FILES.values())


def test_an_experiment_downloads_mnist_on_a_fresh_machine(tmp_path, mirror):
    run = subprocess.run([sys.executable, "-m", "fastnet", "experiment", "hidden", "--hidden", "0",
                          "--seeds", "1", "--epochs", "1", "--jobs", "1", "--limit-train", "500",
                          "--limit-test", "100"], env=fresh_machine(tmp_path, mirror),
                         capture_output=True, text=True, timeout=300)
    assert run.returncode == 0, run.stderr
    assert "downloading it into" in run.stderr and "| 0 |" in run.stdout


def test_named_data_that_is_missing_is_an_error_naming_the_option(tmp_path, mirror):
    env = fresh_machine(tmp_path, mirror)
    for command in (["experiment", "hidden"], ["sweep", "--out", str(tmp_path / "r.jsonl")]):
        run = subprocess.run([sys.executable, "-m", "fastnet", *command, "--data",
                              str(tmp_path / "nowhere")], env=env, capture_output=True, text=True,
                             timeout=300)
        assert run.returncode == 2, run.stderr
        assert "(--data)" in run.stderr and "path=" not in run.stderr
        assert "downloading" not in run.stderr


def test_evaluate_fetches_and_reads_only_the_test_set(tmp_path, mirror, mnist_dir):
    """On a fresh machine evaluate downloads the two test files, not the 47 MB of
    training images; a folder with only the test files is enough for it."""
    import shutil

    import numpy as np

    from fastnet import Network
    from fastnet.io.persist import save
    np.random.seed(0)
    save(Network([784, 30, 10]), tmp_path / "model.npz")
    run = subprocess.run([sys.executable, "-m", "fastnet", "evaluate", str(tmp_path / "model.npz")],
                         env=fresh_machine(tmp_path, mirror), capture_output=True, text=True,
                         timeout=300)
    assert run.returncode == 0, run.stderr
    assert "Test accuracy: " in run.stdout and " / 10000 " in run.stdout
    test_files = sorted(f"{name}.gz" for key, name in IDX_FILES.items() if key.startswith("test"))
    assert cached_files(tmp_path) == test_files
    only_test = tmp_path / "only-test"
    only_test.mkdir()
    for name in test_files:
        shutil.copy(mnist_dir / name, only_test / name)
    again = subprocess.run([sys.executable, "-m", "fastnet", "evaluate", str(tmp_path / "model.npz"),
                            "--data", str(only_test)], capture_output=True, text=True, timeout=300)
    assert again.returncode == 0, again.stderr
    assert again.stdout.splitlines()[0] == run.stdout.splitlines()[0]
