"""The results as text: a Markdown table per network with its notes, the summary table of
all networks (``--markdown``: the form docs/performance.md shows), the accuracy run's line
and the closing line (command, versions, wall time)."""
import statistics
from typing import Dict, List

from .peers import BASELINE


def speedup_cell(name: str, speedup) -> str:
    if speedup is None:
        return "-"
    if name == "fastnet":
        return "1.0x"
    return f"{speedup:.1f}x" if speedup >= 10 else f"{speedup:.2f}x"


def table(result: dict) -> List[str]:
    n = result["examples"]
    lines = [f"#### One epoch of Network({result['sizes']}), mini-batch {result['batch']}, "
             f"eta {result['eta']}, {n:,} examples, {result['threads']} thread(s)", "",
             "| implementation | epoch median (s) | min | fastnet is N x faster | examples/s |",
             "|---|---:|---:|---:|---:|"]
    for name, row in result["results"].items():
        if row["status"] != "ok" or "median" not in row:
            status = row["status"] if row["status"] != "ok" else "no time"
            lines.append(f"| {name} | {status} | - | - | - |")
            continue
        label = row["label"]
        if row["examples_timed"] < n:
            label += f" (timed on {row['examples_timed']:,} examples, scaled)"
        lines.append(f"| {label} | {row['median']:.3f} | {row['min']:.3f} | "
                     f"{speedup_cell(name, row.get('fastnet_speedup'))} | "
                     f"{row['examples_per_second']:,.0f} |")
    return lines


def notes(result: dict, machine: dict) -> List[str]:
    """The lines under the table: machine, load, JAX's threads, the floor, the check,
    what was not measured."""
    rows = result["results"]
    lines = [f"Machine: {machine['cpu']}, {machine['cpus']} CPUs; threads: {result['threads']} "
             f"({machine['thread_env']}); sizes {result['sizes']}; batch {result['batch']}; "
             f"rounds {result['rounds']} (interleaved, rotating order; fastnet: "
             f"{result['epochs_per_call']} epoch(s) per train_epochs call)."]
    loads = result.get("load_average") or [None, None]
    if None not in loads:
        busy = max(loads) > machine["cpus"] + 0.5
        lines.append(f"Load average (1 min) {loads[0]:.2f} at the start, {loads[1]:.2f} at the "
                     f"end{': other processes were running, the times are noisy' if busy else ''}.")
    lines += process_lines(rows, machine)
    lines += floor_lines(result, machine)
    checks = [(name, row["check_relative_difference"]) for name, row in rows.items()
              if row.get("check_relative_difference") is not None and name != "seed"]
    if checks:
        lines.append("Check: largest relative difference of the parameters from the float64 "
                     "per-example reference after the same mini-batches: "
                     + ", ".join(f"{name} {diff:.1e}" for name, diff in checks) + ".")
    missing = [f"{name} ({row['status']}: {row.get('detail', '')})"
               for name, row in rows.items() if row["status"] != "ok"]
    if missing:
        lines.append("Not measured: " + "; ".join(missing) + ".")
    return lines


def process_lines(rows: dict, machine: dict) -> List[str]:
    """How the peers measured in processes of their own ran: CPUs, XLA flags, and the
    baseline's ratio to the current checkout."""
    lines = []
    for name, row in rows.items():
        process = row.get("process")
        if row["status"] != "ok" or not process or name == BASELINE:
            continue
        cores = process["cores"]
        lines.append(f"{name}: a process of its own, "
                     + (f"pinned to CPU {','.join(map(str, cores))}" if cores else
                        f"not pinned ({machine['cpus']} CPUs)")
                     + (f", XLA_FLAGS {process['xla_flags'] or 'unset'}" if name.startswith("jax")
                        else "") + ".")
    baseline = rows.get(BASELINE, {})
    if baseline.get("current_over_baseline"):
        ratio = baseline["current_over_baseline"]
        lines.append(f"Baseline: fastnet from {baseline['process']['package']}, its own process "
                     f"and Numba cache; current / baseline epoch {rows['fastnet']['median']:.3f} / "
                     f"{baseline['median']:.3f} s = {ratio:.3f} (the current is {1 / ratio:.2f}x "
                     "as fast).")
    return lines


def floor_lines(result: dict, machine: dict) -> List[str]:
    """fastnet's fraction of the dense floor (every multiply-add of the matrices) and of
    the sparse floor (the multiply-adds it performs: the first layer on the non-zero
    inputs only), both over the measured float32 np.dot rate."""
    fast = result["results"].get("fastnet", {})
    if not result["floor_seconds"] or not fast.get("median"):
        return []
    peak = machine["peak_macs_per_second"]
    share = result["nonzero_inputs"] / (result["examples"] * result["sizes"][0])
    return [f"Fraction of the arithmetic floor: fastnet {100 * fast['floor_fraction']:.1f}% of "
            f"the dense floor ({result['floor_seconds']:.4f} s = {result['macs_per_epoch']:,} "
            f"multiply-adds per epoch ({result['macs_per_example']:,} per example) / "
            f"{peak / 1e9:.1f} G multiply-add/s, the measured 1024x1024 float32 np.dot rate); "
            f"{100 * fast['sparse_floor_fraction']:.1f}% of the sparse floor "
            f"({result['sparse_floor_seconds']:.4f} s = {result['sparse_macs_per_epoch']:,} "
            f"multiply-adds: the first layer on the {result['nonzero_inputs']:,} non-zero "
            f"inputs only, {100 * share:.1f}% "
            "of them)."]


def markdown(result: dict, machine: dict) -> str:
    """The Markdown table of one network's ``runner.measure`` result, and its notes."""
    return "\n".join(table(result) + [""] + notes(result, machine))


#: the summary table's column heading of each implementation
SHORT_LABELS = {
    "fastnet": "fastnet",
    "fastnet-1thread": "fastnet, 1 thread",
    "seed": "seed's network.py",
    "numpy-batch": "numpy mini-batch",
    "torch": "PyTorch, manual gradients",
    "torch-autograd": "PyTorch, autograd",
    "torch-nn": "PyTorch, `nn` + `optim`",
    "jax": "JAX `lax.scan`, pinned",
    "jax-unpinned": "JAX, not pinned",
    "jax-xla-flags": "JAX, pinned, XLA flags",
    "jax-unpinned-xla-flags": "JAX, not pinned, XLA flags",
    "torch-pinned": "PyTorch manual, pinned",
    "torch-nn-pinned": "PyTorch `nn`, pinned",
    BASELINE: "fastnet (baseline)",
}


def seconds_cell(seconds: float) -> str:
    return f"{seconds:.3f} s" if seconds < 1 else f"{seconds:.2f} s"


def summary_cell(name: str, row: dict) -> str:
    """A network's median epoch for one implementation and, beside fastnet's, how many
    times faster fastnet is; the status where nothing was timed."""
    if row["status"] != "ok" or "median" not in row:
        return row["status"] if row["status"] != "ok" else "no time"
    cell = seconds_cell(row["median"])
    speedup = row.get("fastnet_speedup")
    if name != "fastnet" and speedup is not None:
        cell += f" ({speedup_cell(name, speedup)})"
    return cell


def summary_table(results: List[dict], machine: dict) -> str:
    """One Markdown table of every network's ``runner.measure`` result: a row per
    network, a column per implementation (median epoch, and how many times faster
    fastnet is), and a line naming the rounds, the machine and the check."""
    if not results:
        return ""
    first = results[0]
    names = list(dict.fromkeys(name for result in results for name in result["results"]))
    threads = first["threads"]
    heading = f"{threads} thread{'s' if threads != 1 else ''}, mini-batch {first['batch']}"
    lines = ["| " + " | ".join([heading] + [SHORT_LABELS.get(name, name) for name in names]) + " |",
             "|---|" + "---:|" * len(names)]
    for result in results:
        rows = result["results"]
        cells = [summary_cell(name, rows[name]) if name in rows else "-" for name in names]
        lines.append(f"| `{result['sizes']}` | " + " | ".join(cells) + " |")
    checks = [row["check_relative_difference"] for result in results
              for name, row in result["results"].items()
              if name != "seed" and row.get("check_relative_difference") is not None]
    note = (f"Medians of {first['rounds']} interleaved rounds, eta {first['eta']}, "
            f"{first['examples']:,} examples; in parentheses: how many times faster fastnet is. "
            f"{machine['cpu']}, {machine['cpus']} CPUs.")
    if checks:
        note += (f" Every peer's parameters within {max(checks):.1e} of the float64 "
                 "reference after the same mini-batches.")
    floors = [f"`{result['sizes']}` {100 * row['floor_fraction']:.1f}% / "
              f"{100 * row['sparse_floor_fraction']:.1f}%" for result in results
              for row in [result["results"].get("fastnet", {})] if row.get("floor_fraction")]
    if floors:
        note += " fastnet's fraction of the dense / sparse arithmetic floor: " + ", ".join(floors) + "."
    return "\n".join(lines + ["", note])


def accuracy_line(run: dict, config) -> str:
    """One line for an ``accuracy_run`` result: final and best test accuracy, median epoch."""
    correct, n_test = run["correct"], run["n_test"]
    best = max(correct)
    return (f"Accuracy run: fastnet Network({run['sizes']}), {run['epochs']} epochs, mini-batch "
            f"{config.batch}, eta {config.eta}, seed {config.seed}: final {correct[-1]} / "
            f"{n_test} ({100 * correct[-1] / n_test:.2f}%), best {best} "
            f"(epoch {correct.index(best)}), median epoch "
            f"{statistics.median(run['seconds']):.3f} s")


def peer_versions(results: List[dict]) -> Dict[str, str]:
    """The peers' library versions over all networks' results (numpy and numba aside)."""
    versions = {}
    for result in results:
        for row in result["results"].values():
            versions.update({k: v for k, v in row.get("versions", {}).items()
                             if k not in ("numpy", "numba")})
    return versions


def closing_line(config, document: dict) -> str:
    """The command, the versions and the whole run's wall time."""
    machine = document["machine"]
    return (f"Command: {config.command or 'run_worker(' + repr(config) + ')'}; "
            f"Python {machine['python']}, numpy {machine['numpy']}, numba {machine['numba']}"
            + "".join(f", {k} {v}" for k, v in peer_versions(document["networks"]).items())
            + f"; {document['wall_seconds']:.0f} s in all.")
