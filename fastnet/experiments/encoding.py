"""10 one-hot outputs or 4 binary outputs? The seed claims the 10 outputs recognise
digits better. Both are trained here as real options of the network, and the book's
exercise is added: a fixed extra layer that turns a trained net's 10 outputs into 4 bits.
"""
from pathlib import Path
from typing import Optional

import numpy as np

from ..core.encodings import ENCODINGS
from ..network import Network
from .common import Result, mean_std, run_many, train_run

# The fixed 10 -> 4 layer: bit b of output j pushes neuron b up (+) or down (-).
BIT_WEIGHT = 10.0


def bits_layer(classes: int = 10, bits: int = 4) -> np.ndarray:
    """(bits, classes) weights: +BIT_WEIGHT where bit b of class j is 1, else -BIT_WEIGHT."""
    code = ENCODINGS["binary"].targets(np.arange(classes), bits, np.float64)  # (classes, bits)
    return BIT_WEIGHT * (2 * code.T - 1)


def with_bits_layer(net: Network) -> Network:
    """``net`` followed by the fixed layer (zero biases), reading its outputs as binary."""
    classes = net.sizes[-1]
    bits = max(1, int(np.ceil(np.log2(classes))))
    weights = [w.copy() for w in net.weights] + [bits_layer(classes, bits)]
    biases = [b.copy() for b in net.biases] + [np.zeros((bits, 1))]
    return Network.from_parameters(net.sizes + [bits], weights, biases, net.dtype, "binary")


def task(dataset, encoding: str, seed: int, epochs: int, hidden: int, batch: int, eta: float) -> dict:
    """Train one network; for one-hot, also score it through the fixed bits layer."""
    inputs, classes = dataset.train[0].shape[1], int(dataset.train[1].max()) + 1
    outputs = classes if encoding == "one-hot" else int(np.ceil(np.log2(classes)))
    run = train_run(dataset, [inputs, hidden, outputs], seed, epochs, batch, eta, encoding=encoding)
    run["encoding"] = encoding
    if encoding == "one-hot":
        run["through_bits_layer"] = 100.0 * with_bits_layer(run["net"]).evaluate(dataset.test) / len(dataset.test[1])
    run.pop("net")
    return run


def run(data=None, seeds: int = 3, epochs: int = 10, jobs: int = 1, limits=(None, None),
        hidden: int = 30, batch: int = 10, eta: float = 3.0, dataset=None, scheduler: Optional[str] = None) -> Result:
    configs = [dict(encoding=e, seed=s, epochs=epochs, hidden=hidden, batch=batch, eta=eta)
               for s in range(seeds) for e in ("one-hot", "binary")]
    runs, interrupted = run_many(task, configs, jobs, dataset, data, limits, scheduler)
    rows = []
    for label, encoding, key in (("10 outputs, one-hot (the book)", "one-hot", "final"),
                                 ("4 outputs, binary code", "binary", "final"),
                                 ("10 one-hot outputs + fixed 10->4 bits layer", "one-hot", "through_bits_layer")):
        finals = [r[key] for r in runs if r["encoding"] == encoding and r.get(key) is not None]
        if not finals:
            continue
        mean, std = mean_std(finals)
        curves = [r["accuracy"] for r in runs if r["encoding"] == encoding]
        rows.append(dict(network=label, sizes=str(next(r["sizes"] for r in runs if r["encoding"] == encoding)
                                                  + ([4] if key == "through_bits_layer" else [])),
                         seeds=len(finals), final=mean, std=std, best=max(finals),
                         seconds=float(np.median([r["seconds_per_epoch"] for r in runs if r["encoding"] == encoding])),
                         curve=np.mean(curves, axis=0).tolist() if key == "final" else None))
    return Result(f"Output encoding: test accuracy after {epochs} epochs (hidden {hidden}, "
                  f"mini-batch {batch}, eta {eta})",
                  [("network", "outputs"), ("sizes", "sizes"), ("seeds", "seeds"),
                   ("final", "final accuracy % (mean)"), ("std", "std"), ("best", "best seed %"),
                   ("seconds", "s / epoch")],
                  rows, _note(rows), interrupted)


def _note(rows) -> str:
    by_name = {row["network"].split(",")[0]: row for row in rows}
    one_hot, binary = by_name.get("10 outputs"), by_name.get("4 outputs")
    if not (one_hot and binary):
        return ""
    gap = one_hot["final"] - binary["final"]
    verdict = ("holds here: the 10 one-hot outputs are more accurate" if gap > 2 * max(one_hot["std"], binary["std"], 0.05)
               else "is not borne out clearly here" if gap > 0 else "does not hold here")
    return (f"The seed's claim that 10 outputs beat a 4-bit code {verdict} "
            f"({one_hot['final']:.2f}% vs {binary['final']:.2f}%, difference {gap:+.2f} points).")


def plot(result: Result, path) -> Path:
    from ..io.plots import accuracy_curves
    curves = [(row["network"], row["curve"], "-") for row in result.rows if row.get("curve")]
    return accuracy_curves(curves, path, "10 one-hot outputs vs 4 binary outputs")
