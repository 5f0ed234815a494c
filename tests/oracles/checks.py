"""How the compiled code's numbers are compared with an oracle's: float64 to 1e-12 and
float32 to 1e-5, relative to the largest value (normwise)."""
import numpy as np

TOLERANCE = {np.float64: 1e-12, np.float32: 1e-5}


def assert_close(actual, expected, dtype, factor=1):
    """Normwise relative error: max |actual - expected| <= tol * max |expected|, per array.
    (Elementwise relative error is meaningless for entries like sigma'(z) of a saturated
    neuron, where float32's a(1 - a) has lost all digits in the original formula too.)"""
    actual, expected = np.asarray(actual, np.float64), np.asarray(expected, np.float64)
    assert actual.shape == expected.shape
    error = np.max(np.abs(actual - expected)) / max(np.max(np.abs(expected)), np.finfo(dtype).tiny)
    assert error <= factor * TOLERANCE[dtype], f"relative error {error:.3g}"
