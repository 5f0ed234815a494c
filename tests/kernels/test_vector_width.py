"""The SIMD width the kernels compile for (config.VECTOR_BYTES): chosen from the CPU's
target features, forced by $FASTNET_VECTOR_BYTES, cached apart when forced, and giving
the same numbers at either width."""
import os
import subprocess
import sys
from pathlib import Path

import numba
import pytest

from fastnet import config


@pytest.mark.parametrize("features,expected", [
    ("+64bit,+avx,+avx2,+fma,-avx512f,-avx512vl", 32),
    ("+64bit,+avx,+avx2,+fma,+avx512f,+avx512vl", 64),
    ("+64bit,+sse2,-avx", 32),
])
def test_width_follows_the_target_features(monkeypatch, features, expected):
    monkeypatch.setattr(numba.config, "CPU_FEATURES", features)
    assert config.host_vector_bytes() == expected


def test_width_of_this_host(monkeypatch):
    """Without $NUMBA_CPU_FEATURES and $FASTNET_VECTOR_BYTES, the width is the host's:
    64 bytes (16 float32 lanes) exactly where /proc/cpuinfo lists avx512f."""
    cpuinfo = Path("/proc/cpuinfo")
    if not cpuinfo.exists() or numba.config.CPU_FEATURES or os.environ.get("FASTNET_VECTOR_BYTES"):
        pytest.skip("needs Linux and the host's own target features")
    from fastnet.kernels import LANES, padded
    avx512 = any(line.startswith("flags") and " avx512f" in line
                 for line in cpuinfo.read_text().splitlines())
    assert config.VECTOR_BYTES == (64 if avx512 else 32)
    assert LANES == config.VECTOR_BYTES // 4 and padded(1) == LANES and padded(30) == 32


@pytest.mark.parametrize("text", ["16", "48", "avx2", "-32"])
def test_a_forced_width_is_32_or_64(monkeypatch, text):
    monkeypatch.setenv("FASTNET_VECTOR_BYTES", text)
    with pytest.raises(ValueError, match="FASTNET_VECTOR_BYTES must be 32 or 64"):
        config._vector_bytes()
    monkeypatch.setenv("FASTNET_VECTOR_BYTES", "32")
    assert config._vector_bytes() == 32
    monkeypatch.delenv("FASTNET_VECTOR_BYTES")
    assert config._vector_bytes() == config.HOST_VECTOR_BYTES


TRAIN = r"""
import random, sys
import numpy as np
from fastnet import Network
from fastnet.kernels import padded
rng = np.random.default_rng(3)
X = rng.random((60, 50)).astype(np.float32)
X[rng.random(X.shape) < 0.7] = 0
y = rng.integers(0, 10, 60)
np.random.seed(2); random.seed(2)
net = Network([50, 30, 10], threads=1)
list(net.train_epochs((X, y), 1, 10, 3.0))
np.savez(sys.argv[1], lanes=padded(1), *net.weights, *net.biases)
"""


def test_each_width_compiles_apart_and_both_train_alike(tmp_path):
    """One cache folder, processes alternating the forced AVX2 width and this host's:
    each loads kernels compiled for its own width (``layout.padded`` rounds to its
    lanes), never the other's, although Numba's cache index sees the same CPU; a
    process loading its width's kernels gives the bits the compiling one gave. Across
    widths the later layers' dot products split their sums over other lanes, so the
    parameters agree to rounding, not bit for bit."""
    cache = tmp_path / "cache"
    runs = [("32", "a"), ("", "b"), ("32", "c")]  # c loads what a cached, after b compiled
    for width, name in runs:
        env = dict(os.environ, NUMBA_CACHE_DIR=str(cache), FASTNET_VECTOR_BYTES=width)
        subprocess.run([sys.executable, "-c", TRAIN, str(tmp_path / f"{name}.npz")], env=env,
                       check=True)
    import numpy as np
    results = {name: np.load(tmp_path / f"{name}.npz") for _, name in runs}
    host_lanes = config.HOST_VECTOR_BYTES // 4
    assert [int(results[name]["lanes"]) for name in "abc"] == [8, host_lanes, 8]
    assert list(cache.rglob("vector-32/*.nbi")) or config.HOST_VECTOR_BYTES == 32
    for key in results["a"].files:
        if key != "lanes":
            np.testing.assert_array_equal(results["c"][key], results["a"][key])
            np.testing.assert_allclose(results["b"][key], results["a"][key], rtol=1e-4, atol=1e-5)
