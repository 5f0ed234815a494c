"""How class labels become output targets, and outputs become labels again.

- ``one-hot`` (the book's): k outputs for k classes; target e_label; the class is the
  argmax of the outputs.
- ``binary``: b outputs code 2**b classes in binary (output j is bit j of the label,
  least significant first); each output reads as 1 when >= 0.5. The seed asks whether 4
  such outputs could replace the 10 one-hot ones.
- ``threshold``: one output answering yes/no (labels 1/0), yes when >= 0.5: the seed's
  one-neuron detector. The default for networks with a single output.
"""
from typing import Dict, List, Optional, Sequence

import numpy as np


class Encoding:
    """A way to read a network's outputs as classes (see the module docstring)."""
    name = ""

    def classes(self, n_out: int) -> int:
        """How many classes ``n_out`` outputs can tell apart."""
        raise NotImplementedError

    def targets(self, labels: np.ndarray, n_out: int, dtype) -> np.ndarray:
        """(n, n_out) target activations for (n,) int labels in [0, classes)."""
        raise NotImplementedError

    def decode(self, outputs: np.ndarray) -> np.ndarray:
        """(n,) int64 classes for (n, n_out) output activations."""
        raise NotImplementedError

    def __repr__(self) -> str:
        return f"<encoding {self.name!r}>"


class OneHot(Encoding):
    name = "one-hot"

    def classes(self, n_out):
        return n_out

    def targets(self, labels, n_out, dtype):
        targets = np.zeros((len(labels), n_out), dtype=dtype)
        targets[np.arange(len(labels)), labels] = 1  # the book's vectorized_result, batched
        return targets

    def decode(self, outputs):
        return np.argmax(outputs, axis=1)


class Binary(Encoding):
    name = "binary"

    def classes(self, n_out):
        return 2 ** n_out

    def targets(self, labels, n_out, dtype):
        bits = (labels[:, None] >> np.arange(n_out)) & 1
        return bits.astype(dtype)

    def decode(self, outputs):
        bits = (outputs >= 0.5).astype(np.int64)
        return bits @ (1 << np.arange(outputs.shape[1], dtype=np.int64))


class Threshold(Encoding):
    name = "threshold"

    def classes(self, n_out):
        if n_out != 1:
            raise ValueError(f"the threshold encoding is for networks with 1 output, not {n_out}")
        return 2

    def targets(self, labels, n_out, dtype):
        return labels.reshape(-1, 1).astype(dtype)

    def decode(self, outputs):
        return (outputs[:, 0] >= 0.5).astype(np.int64)


ENCODINGS: Dict[str, Encoding] = {e.name: e for e in (OneHot(), Binary(), Threshold())}


def get_encoding(name, n_out: int) -> Encoding:
    """The encoding called ``name`` (None: one-hot, or threshold for a single output),
    checked against the number of outputs."""
    if isinstance(name, Encoding):
        encoding = name
    elif name is None:
        encoding = ENCODINGS["threshold" if n_out == 1 else "one-hot"]
    elif isinstance(name, str) and name in ENCODINGS:
        encoding = ENCODINGS[name]
    else:
        raise ValueError(f"encoding must be one of {sorted(ENCODINGS)}, got {name!r}")
    encoding.classes(n_out)  # raises for an impossible combination
    return encoding


def fitting_outputs(encoding: Encoding, classes: int, n_out: int) -> bool:
    """Whether ``n_out`` outputs of ``encoding`` code ``classes`` classes and none is
    spare (one-hot: an output per class; binary: the fewest bits; threshold: 1 of 2)."""
    try:
        return (encoding.classes(n_out) >= classes
                and (n_out == 1 or encoding.classes(n_out - 1) < classes))
    except ValueError:  # the threshold encoding with other than 1 output
        return False


def sizes_for_data(sizes: Optional[Sequence[int]], encoding: Optional[str], inputs: int,
                   classes: int, names=("--sizes", "--output-encoding")) -> List[int]:
    """The layer sizes to train on data of ``inputs`` inputs and ``classes`` classes:
    ``sizes`` when they fit (their inputs, and the outputs ``encoding`` needs for the
    classes: enough, none spare), or ``[inputs, 30, outputs]`` when ``sizes`` is None.
    ValueError naming the option at fault; ``names`` are the sizes' and the encoding's
    names as the user gives them."""
    named = ENCODINGS[encoding or "one-hot"]
    needed = next((n for n in range(1, classes + 1) if fitting_outputs(named, classes, n)), None)
    if needed is None:
        raise ValueError(f"{names[1]} {encoding} cannot code the data's {classes} classes")
    if sizes is None:
        return [inputs, 30, needed]
    sizes = list(sizes)
    coding = named if encoding else get_encoding(None, sizes[-1])  # 1 output: threshold
    if sizes[0] != inputs or not fitting_outputs(coding, classes, sizes[-1]):
        raise ValueError(f"{names[0]} {','.join(map(str, sizes))} does not fit the data: {inputs} "
                         f"inputs and {classes} classes need {inputs},...,{needed} "
                         f"({named.name} outputs)")
    return sizes
