"""FASTNET_PORTABLE=1: the kernels compile for one fixed x86-64 target (a Haswell: AVX2,
FMA, 32-byte vectors) whatever the CPU, so that the same seeds give the same bits on
every CPU with those features. That the bits then agree across CPUs was measured under
QEMU's Haswell model (docs/design.md, Reproducibility); these tests check the mechanism."""
import json
import os
import subprocess
import sys
import textwrap

import pytest

from fastnet import config

PROBE = textwrap.dedent("""
    import json
    import numpy as np
    from numba.core.registry import cpu_target
    from fastnet import config
    from fastnet.kernels.forward import dot
    w = np.arange(40, dtype=np.float32) / 7
    total = float(dot(w, w[::-1].copy(), 37))
    assembly = "".join(dot.inspect_asm().values())
    print(json.dumps({"bytes": config.VECTOR_BYTES,
                      "target": list(cpu_target.target_context.codegen().magic_tuple()[1:]),
                      "zmm": "zmm" in assembly, "ymm": "ymm" in assembly, "dot": total}))
""")


def probe(tmp_path, **env) -> dict:
    run = subprocess.run([sys.executable, "-c", PROBE], capture_output=True, text=True, timeout=600,
                         env={**os.environ, "NUMBA_CACHE_DIR": str(tmp_path / "cache"), **env})
    assert run.returncode == 0, run.stderr[-2000:]
    return json.loads(run.stdout)


def test_the_portable_mode_compiles_for_a_haswell_with_32_byte_vectors(tmp_path):
    host = set(__import__("llvmlite.binding", fromlist=["x"]).get_host_cpu_features().flatten().split(","))
    if not set(config.PORTABLE_FEATURES.split(",")) <= host:
        pytest.skip("this CPU lacks a feature of the portable target")
    portable = probe(tmp_path, FASTNET_PORTABLE="1")
    assert portable["bytes"] == 32
    assert portable["target"] == [config.PORTABLE_CPU, config.PORTABLE_FEATURES]
    assert portable["ymm"] and not portable["zmm"]  # AVX2 registers, never AVX-512's
    native = probe(tmp_path)  # the same cache folder: Numba keys its entries by target
    assert native["target"][0] != config.PORTABLE_CPU or native["bytes"] == 32
    assert native["zmm"] == ("+avx512f" in host)
    assert abs(native["dot"] - portable["dot"]) <= 1e-5 * abs(native["dot"])


def test_the_portable_mode_set_after_numba_compiled_is_refused(tmp_path):
    code = textwrap.dedent("""
        import os
        from numba import njit
        njit(lambda x: x + 1)(1)
        os.environ["FASTNET_PORTABLE"] = "1"
        try:
            import fastnet
        except RuntimeError as error:
            print(error)
    """)
    run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=600,
                         env={k: v for k, v in os.environ.items() if not k.startswith(("NUMBA_CPU", "FASTNET_PORTABLE"))})
    assert run.returncode == 0, run.stderr[-2000:]
    assert "FASTNET_PORTABLE=1 came too late" in run.stdout


def test_a_cpu_without_the_targets_features_is_refused(monkeypatch):
    import llvmlite.binding as llvm

    class Features:
        def flatten(self):
            return "+64bit,+sse,+sse2,+avx,-avx2,-fma"
    monkeypatch.setattr(llvm, "get_host_cpu_features", lambda: Features())
    with pytest.raises(RuntimeError, match="FASTNET_PORTABLE=1 compiles for x86-64 CPUs with AVX2 "
                                           "and FMA .*lacks aes, avx2, bmi"):
        config._compile_for_the_portable_target()
