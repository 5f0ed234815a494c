"""The worker harness itself: a case that kills the process or never returns is a
failing verdict saying so, and the next case runs in a fresh worker."""
from harness import Worker

NETWORK = {"sizes": [2, 2], "dtype": "float32", "seed": 0}
CASE = {"net": NETWORK, "a": {"shape": (2, 1), "dtype": "float64"}}


def test_a_segfault_and_a_hang_are_reported_and_the_worker_restarts():
    worker = Worker(timeout=120)  # a fresh worker imports fastnet first
    try:
        crash = worker.run("_segfault", {})
        assert crash["problem"].startswith("crash: the process died (exit status -11)"), crash
        assert worker.run("feedforward", CASE)["ok"]
        worker.timeout = 3
        hang = worker.run("_hang", {})
        assert hang == {"ok": False, "problem": "hang: no answer in 3 s"}
        worker.timeout = 120
        assert worker.run("feedforward", CASE) == {"ok": True, "outcome": "result"}
        assert worker.restarts == 2 and worker.cases == 4
    finally:
        worker.close()
