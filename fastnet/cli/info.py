"""``fastnet info``: what a model file holds (sizes, dtype, how it was trained).

    fastnet info model.npz
"""
import argparse
from typing import List, Optional

import numpy as np

from .inputs import load_model


def add_parser(commands, common) -> argparse.ArgumentParser:
    """Register ``info`` on the main parser's ``commands``."""
    info = commands.add_parser("info", parents=[common], help="what a model file holds")
    info.add_argument("model")
    info.set_defaults(run=run_info)
    return info


def run_info(args) -> int:
    net = load_model(args.model)
    meta = net.metadata
    n_params = sum(w.size + b.size for w, b in zip(net.weights, net.biases))
    print(f"{args.model}: saved by fastnet {meta.get('fastnet_version', 'unknown')}")
    print(f"sizes: {net.sizes}  dtype: {np.dtype(net.dtype).name}  parameters: {n_params:,}")
    history = net.history
    if history:
        print(f"trained: {len(history)} epochs{training_summary(history)}")
        scored = [(i, h) for i, h in enumerate(history) if number(h.get("correct")) is not None]
        if scored:
            last = scored[-1][1]
            best_epoch, best = max(scored, key=lambda item: item[1]["correct"])
            print(f"test accuracy: last {last['correct']}{out_of(last)}, best {best['correct']} "
                  f"(epoch {best_epoch})")
    else:
        print("trained: no epochs recorded")
    for key in ("seed", "data", "interrupted", "cost"):
        if meta.get(key) is not None:
            print(f"{key}: {meta[key]}")
    return 0


def number(value) -> Optional[float]:
    """``value`` when it is a number (a saved history may hold anything), else None."""
    return value if isinstance(value, (int, float)) and not isinstance(value, bool) else None


def training_summary(history: List[dict]) -> str:
    """" (mini-batch 10, eta 3.0, 50,000 examples), 52.1 s; compiling 23.4 s" from the
    epochs' records, with whatever of it they hold (the epochs' seconds exclude the
    compiling, which each run's first record holds)."""
    runs = []
    for h in history:
        batch, eta, n_train = (number(h.get(key)) for key in ("mini_batch_size", "eta", "n_train"))
        parts = ([f"mini-batch {batch}"] if batch is not None else []) + \
            ([f"eta {eta}"] if eta is not None else []) + \
            ([f"{n_train:,} examples"] if n_train is not None else [])
        run = ", ".join(parts)
        if run and run not in runs:
            runs.append(run)
    seconds = [t for t in (number(h.get("seconds")) for h in history) if t is not None]
    compiling = [t for t in (number(h.get("compile_seconds")) for h in history) if t is not None]
    return ((f" ({'; '.join(runs)})" if runs else "") + (f", {sum(seconds):.1f} s" if seconds else "")
            + (f"; compiling {sum(compiling):.1f} s" if compiling else ""))


def out_of(record: dict) -> str:
    """" / 10000 (91.23%)" for an epoch's record, or what of it is there."""
    n_test = number(record.get("n_test"))
    if not n_test:
        return ""
    return f" / {n_test} ({100 * record['correct'] / n_test:.2f}%)"
