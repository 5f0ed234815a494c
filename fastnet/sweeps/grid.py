"""A sweep's grid: one or more values for each network and training option, every
combination of them, each trained from several seeds; and the one training run of a
combination and seed (``train_configuration``, the task the workers run)."""
import itertools
import json
import time
from dataclasses import dataclass
from typing import Dict, List, Sequence

import numpy as np

from ..config import __version__
from ..core import rng
from ..core.encodings import sizes_for_data
from ..core.training import TrainingOptions, check_eta
from ..core.validate import check_int
from .data import Dataset

#: every option a sweep may vary, in the order of a configuration's label, with its
#: default (the book's network.py); ``sizes`` None: the data's inputs, 30, its classes
DEFAULTS: Dict[str, object] = {
    "sizes": None, "eta": 3.0, "batch": 10, "lmbda": 0.0, "l1": 0.0, "cost": "quadratic",
    "activation": "sigmoid", "output": None, "encoding": None, "init": "standard",
    "momentum": 0.0, "dropout": 0.0,
}
#: how the command line names an option, where it differs from ``--NAME``
FLAGS = {"encoding": "--output-encoding"}


def flag(option: str) -> str:
    """The command line's name of ``option`` (``--eta``, ``--output-encoding``)."""
    return FLAGS.get(option, f"--{option}")


@dataclass
class Grid:
    """``values[option]``: the values to try (options not given keep their default);
    every combination trains ``epochs`` epochs from each of ``seeds``."""
    values: Dict[str, list]
    epochs: int
    seeds: List[int]

    def __post_init__(self):
        unknown = set(self.values) - set(DEFAULTS)
        if unknown:
            raise ValueError(f"unknown sweep options {sorted(unknown)}; known: {list(DEFAULTS)}")
        self.values = {option: _distinct([_normal(option, value) for value in
                                          self.values.get(option) or [default]])
                       for option, default in DEFAULTS.items()}
        self.epochs = check_int(self.epochs, "epochs", 1)
        self.seeds = _distinct([check_int(seed, "seed", 0) for seed in self.seeds])
        if not self.seeds:
            raise ValueError("seeds: give at least one seed")

    def configurations(self) -> List[dict]:
        """Every combination of the values (the last option varying fastest), each a
        dict of all options and ``epochs``."""
        options = list(self.values)
        return [dict(zip(options, combination), epochs=self.epochs)
                for combination in itertools.product(*self.values.values())]

    def varying(self) -> List[str]:
        """The options given more than one value."""
        return [option for option, values in self.values.items() if len(values) > 1]

    def resolve(self, dataset: Dataset, names=flag) -> List[dict]:
        """The configurations, each checked against ``dataset`` (layer sizes against
        its inputs and classes, the network's parts together, the training options)
        and with its sizes filled in. ValueError naming the options at fault (``names``
        gives an option's name as the user writes it)."""
        inputs, classes = dataset.shape()
        from ..network import Network
        checked = set()
        configurations = []
        for config in self.configurations():
            config["sizes"] = sizes_for_data(config["sizes"], config["encoding"], inputs, classes,
                                             (names("sizes"), names("encoding")))
            architecture = json.dumps([config["sizes"], *_network_options(config).values()])
            try:
                if architecture not in checked:  # built once per architecture, drawing
                    with rng.own_random():       # nothing from the caller's generators
                        Network(config["sizes"], **_network_options(config))
                    checked.add(architecture)
                TrainingOptions.checked(config["lmbda"], config["l1"], config["momentum"],
                                        config["dropout"])
                check_eta(config["eta"], np.float32, names("eta"))  # sweeps train in float32
                check_int(config["batch"], "batch", 1)
            except (ValueError, TypeError) as error:
                given = [option for option, default in DEFAULTS.items()
                         if option == "sizes" or config[option] != default]
                raise ValueError(f"{label(config, given, names)}: {error}") from None
            configurations.append(config)
        return configurations


def label(config: dict, options: Sequence[str], names=flag) -> str:
    """``--sizes 784,30,10 --eta 0.5``: the values of ``options`` in ``config``."""
    parts = []
    for option in options:
        value = config[option]
        if value is None:
            continue
        text = ",".join(map(str, value)) if isinstance(value, list) else f"{value:g}" \
            if isinstance(value, float) else str(value)
        parts.append(f"{names(option)} {text}")
    return " ".join(parts) or "the book's settings"


def run_key(config: dict, seed: int, data: dict) -> str:
    """The identity of a run: its configuration, seed and data (``Dataset.fingerprint``)."""
    return json.dumps([config, seed, data], sort_keys=True)


def run_cost(task: dict) -> float:
    """How long a run takes, roughly: its epochs x its weights (multiply-adds per
    example), from ``task``'s ``sizes`` and ``epochs`` (or its ``config``'s, as
    ``train_configuration`` takes them); 0 when it has none."""
    config = task.get("config", task)
    sizes, epochs = config.get("sizes"), config.get("epochs", 1)
    if not sizes:
        return 0.0
    return epochs * sum(n_in * n_out for n_in, n_out in zip(sizes[:-1], sizes[1:]))


def train_configuration(dataset: Dataset, config: dict, seed: int) -> dict:
    """Train ``Network(config["sizes"], ...)`` from ``seed`` (np.random and random, as
    ``fastnet train --seed``) for ``config["epochs"]`` epochs on ``dataset``, measuring
    the test accuracy and cost after each. Returns the run's record: ``config``,
    ``seed``, ``history`` (per epoch: accuracy %, correct, test cost, seconds), the
    final and best accuracy, seconds training and compiling, the fastnet version."""
    from ..network import Network
    rng.seed(seed)
    net = Network(config["sizes"], **_network_options(config))
    history = []
    start = time.perf_counter()
    for result in net.train_epochs(dataset.train, config["epochs"], config["batch"], config["eta"],
                                   dataset.test, lmbda=config["lmbda"], l1=config["l1"],
                                   momentum=config["momentum"], dropout=config["dropout"],
                                   monitor=("test_cost",)):
        history.append({"epoch": result.epoch,
                        "accuracy": 100.0 * result.correct / result.n_test,
                        "correct": int(result.correct), "test_cost": float(result.record["test_cost"]),
                        "seconds": result.seconds})
    compile_seconds = net.history[-len(history)].get("compile_seconds", 0.0) if history else 0.0
    accuracy = [epoch["accuracy"] for epoch in history]
    best = int(np.argmax(accuracy))
    return {"config": config, "seed": seed, "history": history,
            "final_accuracy": accuracy[-1], "best_accuracy": accuracy[best], "best_epoch": best,
            "seconds": sum(epoch["seconds"] for epoch in history),
            "wall_seconds": time.perf_counter() - start, "compile_seconds": compile_seconds,
            "fastnet": __version__}


def _network_options(config: dict) -> dict:
    return {key: config[key] for key in ("encoding", "activation", "output", "cost", "init")}


#: options whose values are numbers, with their type (3 and 3.0 are one eta)
NUMBERS = {"eta": float, "lmbda": float, "l1": float, "momentum": float, "dropout": float,
           "batch": int}


def _normal(option: str, value):
    """``value`` in the one form a results file records it: numbers as their type,
    layer sizes as a list of ints."""
    if value is None:
        return None
    if option == "sizes":
        return [check_int(n, "layer size", 1) for n in value]
    if option in NUMBERS:
        if isinstance(value, bool) or not isinstance(value, (int, float, np.integer, np.floating)):
            raise TypeError(f"{option} values must be numbers, got {value!r}")
        return check_int(value, option, 1) if NUMBERS[option] is int else float(value)
    return value


def _distinct(values: list) -> list:
    """``values`` without repeats (3 and 3.0 are one), in order of first appearance."""
    seen: List = []
    for value in values:
        if value not in seen:
            seen.append(value)
    return seen


def first_seeds(count: int) -> List[int]:
    """Seeds 0 .. count-1."""
    return list(range(check_int(count, "seeds", 1)))

