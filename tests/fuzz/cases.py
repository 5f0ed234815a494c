"""Every fuzz case the worker runs, by name (``net_cases``: the book's Network;
``app_cases``: network2, the scikit-learn estimator, model files, vision, the
command line)."""
import app_cases
import net_cases
from judging import fail

CASES = {**net_cases.CASES, **app_cases.CASES}


def _segfault(params: dict) -> dict:
    """The harness's own test: the worker dies as a kernel's bad write would kill it."""
    import ctypes
    ctypes.string_at(0)
    return {"ok": True, "outcome": "result"}


def _hang(params: dict) -> dict:
    """The harness's own test: a case that never returns."""
    import time
    time.sleep(3600)
    return {"ok": True, "outcome": "result"}


CASES.update(_segfault=_segfault, _hang=_hang)


def run(name: str, params: dict) -> dict:
    """The verdict of case ``name`` on ``params``: never raises (an error building the
    case itself is reported as such)."""
    try:
        return CASES[name](params)
    except Exception as error:  # noqa: BLE001 - reported, not raised, so the worker lives on
        import traceback
        return fail(f"the case itself failed (a fuzz-suite bug, or an error outside the call "
                    f"under test): {type(error).__name__}: {error}\n{traceback.format_exc()[-2000:]}")
