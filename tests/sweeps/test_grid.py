"""The sweep's grid, its run identities and report, and the engine's choices, in process."""
import json

import numpy as np
import pytest

from fastnet.core import rng
from fastnet.sweeps import engine, report
from fastnet.sweeps.data import DataFile, Dataset
from fastnet.sweeps.grid import DEFAULTS, Grid, label, run_key, train_configuration


def toy(inputs=16, classes=4, n=120, seed=0) -> Dataset:
    generator = np.random.default_rng(seed)
    X = generator.random((n, inputs), dtype=np.float32)
    y = generator.integers(0, classes, n).astype(np.int64)
    y[0] = classes - 1
    return Dataset((X[:100], y[:100]), (X[100:], y[100:]))


def test_every_combination_in_order_with_defaults_filled_in():
    grid = Grid({"eta": [0.5, 3], "lmbda": [0, 5.0], "sizes": [[16, 8, 4]]}, epochs=2, seeds=[0, 1])
    configs = grid.configurations()
    assert [(c["eta"], c["lmbda"]) for c in configs] == [(0.5, 0.0), (0.5, 5.0), (3.0, 0.0), (3.0, 5.0)]
    for config in configs:
        assert set(config) == set(DEFAULTS) | {"epochs"} and config["epochs"] == 2
        assert config["cost"] == "quadratic" and config["batch"] == 10
        assert isinstance(config["eta"], float) and isinstance(config["lmbda"], float)
    assert grid.varying() == ["eta", "lmbda"]


def test_repeated_values_and_seeds_count_once():
    grid = Grid({"eta": [3, 3.0, 0.5, 3]}, epochs=1, seeds=[2, 2, 0])
    assert grid.values["eta"] == [3.0, 0.5] and grid.seeds == [2, 0]


@pytest.mark.parametrize("values, seeds, message", [
    ({"colour": ["red"]}, [0], "unknown sweep options"),
    ({"eta": ["fast"]}, [0], "eta values must be numbers"),
    ({"batch": [2.5]}, [0], "batch must be an integer"),
    ({"sizes": [[784, 0, 10]]}, [0], "layer size"),
    ({}, [], "at least one seed"),
    ({}, [-1], "seed"),
])
def test_bad_grids_are_refused(values, seeds, message):
    with pytest.raises((ValueError, TypeError), match=message):
        Grid(values, epochs=1, seeds=seeds)


def test_resolve_fills_in_and_checks_sizes_against_the_data():
    configs = Grid({}, 1, [0]).resolve(toy())
    assert configs[0]["sizes"] == [16, 30, 4]
    with pytest.raises(ValueError, match="--sizes 16,8,5 does not fit the data"):
        Grid({"sizes": [[16, 8, 4], [16, 8, 5]]}, 1, [0]).resolve(toy())
    with pytest.raises(ValueError, match="--cost log-likelihood --output sigmoid"):
        Grid({"cost": ["log-likelihood"], "output": ["sigmoid"]}, 1, [0]).resolve(toy())
    with pytest.raises(ValueError, match="dropout"):
        Grid({"dropout": [1.5]}, 1, [0]).resolve(toy())


def test_every_configuration_is_checked_and_the_callers_generators_left_alone():
    """Configurations sharing an architecture share its check, not the training options'."""
    with pytest.raises(ValueError, match="--dropout 1.5"):
        Grid({"dropout": [0.0, 1.5]}, 1, [0]).resolve(toy())
    with pytest.raises(ValueError, match="--eta 0"):
        Grid({"eta": [3.0, 0.0]}, 1, [0]).resolve(toy())
    with pytest.raises(ValueError, match="--eta 1e[+]300: --eta must be finite in float32"):
        Grid({"eta": [3.0, 1e300]}, 1, [0]).resolve(toy())
    np.random.seed(5)
    before = np.random.get_state()[1].copy()
    Grid({"sizes": [[16, 8, 4], [16, 30, 4]]}, 1, [0]).resolve(toy())
    assert np.array_equal(np.random.get_state()[1], before)


def test_a_run_is_its_config_seed_and_data():
    config = Grid({}, 1, [0]).resolve(toy())[0]
    data = toy().fingerprint()
    assert run_key(config, 0, data) == run_key(json.loads(json.dumps(config)), 0, dict(data))
    assert run_key(config, 0, data) != run_key(config, 1, data)
    assert data != toy(seed=1).fingerprint() and data != toy(n=119).fingerprint()
    assert label(config, ["sizes", "eta", "output"]) == "--sizes 16,30,4 --eta 3"


def test_one_run_trains_as_a_seeded_network_and_reports_each_epoch():
    dataset = toy()
    config = Grid({"eta": [1.0]}, 3, [0]).resolve(dataset)[0]
    with rng.own_random():
        record = train_configuration(dataset, config, seed=4)
    from fastnet.network import Network
    with rng.own_random():
        rng.seed(4)
        net = Network([16, 30, 4])
        correct = [r.correct for r in net.train_epochs(dataset.train, 3, 10, 1.0, dataset.test)]
    assert [epoch["correct"] for epoch in record["history"]] == correct
    assert record["final_accuracy"] == 100.0 * correct[-1] / 20
    assert record["best_accuracy"] == 100.0 * max(correct) / 20
    assert record["best_epoch"] == int(np.argmax(correct))


def test_own_random_leaves_the_shared_state_alone():
    import random
    random.seed(1)
    before = random.getstate()
    with rng.own_random():
        rng.seed(7)
        order = np.arange(10, dtype=np.int64)
        rng.shuffle(order)
    assert random.getstate() == before
    expected = list(range(10))
    random.Random(7).shuffle(expected)
    assert order.tolist() == expected


def test_report_rows_are_mean_and_std_over_seeds_best_first():
    def record(eta, seed, final):
        return {"config": {"eta": eta, "sizes": [4, 2]}, "seed": seed, "final_accuracy": final,
                "best_accuracy": final + 1, "history": [{"seconds": 0.5}]}
    rows = report.summarise([record(0.5, 0, 50.0), record(3.0, 0, 90.0), record(0.5, 1, 60.0),
                             record(3.0, 1, 94.0)], ["eta"])
    assert [row["label"] for row in rows] == ["--eta 3", "--eta 0.5"]
    assert rows[0]["final"] == 92.0 and rows[0]["final_std"] == pytest.approx(2 ** 1.5)
    assert rows[1]["best"] == 56.0 and rows[1]["seeds"] == [0, 1]
    table = report.markdown(rows, ["eta"]).splitlines()
    assert table[0].startswith("| eta | seeds |") and table[2].startswith("| 3 | 2 | 92.00 | 2.83 |")


class FakeClient:
    """What place_data asks a client: can every worker read a path; scatter."""

    def __init__(self, readable):
        self.readable, self.scattered = readable, []

    def run(self, function, path):
        return {f"worker-{i}": answer for i, answer in enumerate(self.readable)}

    def scatter(self, data, broadcast=False):
        self.scattered.append((data, broadcast))
        return "future"


def test_data_goes_as_a_path_when_every_worker_reads_it_else_once_to_all(mnist_dir):
    source = DataFile(str(mnist_dir), (100, 50))
    everyone = FakeClient([True, True])
    assert engine.place_data(everyone, source) is source and not everyone.scattered
    some = FakeClient([True, False])
    assert engine.place_data(some, source) == "future"
    (data, broadcast), = some.scattered
    assert isinstance(data, Dataset) and broadcast and len(data.train[1]) == 100


def test_jobs_are_capped_at_the_cpus_and_the_runs():
    results, interrupted = engine.run_tasks(lambda dataset, k: {"k": k}, [dict(k=1), dict(k=2)],
                                            jobs=1, dataset=toy())
    assert results == {0: {"k": 1}, 1: {"k": 2}} and not interrupted
    assert engine.cap_jobs(10_000) == engine.usable_cpus()
    with pytest.raises(ValueError):
        engine.cap_jobs(0)
