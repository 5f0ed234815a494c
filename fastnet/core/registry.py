"""The one name table: hidden and output activations, costs and initial weights by the
names the API, the command line and model files use, and the check that an
architecture's parts go together."""
from typing import Dict, Tuple, Union

import numpy as np

from .. import kernels
from .costs import CrossEntropyCost, LogLikelihoodCost, QuadraticCost

#: hidden-layer activations by name -> kernel code
ACTIVATIONS: Dict[str, int] = {"sigmoid": kernels.SIGMOID, "tanh": kernels.TANH,
                               "relu": kernels.RELU}
#: output-layer activations by name -> kernel code
OUTPUTS: Dict[str, int] = {**ACTIVATIONS, "softmax": kernels.SOFTMAX, "linear": kernels.IDENTITY}
#: initial weights by name: "standard" N(0, 1) (the book's network.py, network2's
#: large_weight_initializer), "scaled" N(0, 1/n_in) (network2's default), "he" N(0, 2/n_in)
INITS = {"standard": lambda n_in: 1.0, "scaled": lambda n_in: 1 / np.sqrt(n_in),
         "he": lambda n_in: np.sqrt(2 / n_in)}

COSTS = {cls.name: cls for cls in (QuadraticCost, CrossEntropyCost, LogLikelihoodCost)}
CostLike = Union[str, type, object]


def cost_class(cost: CostLike) -> type:
    """The cost class for a name ("quadratic", ...), a class or an instance of one."""
    if isinstance(cost, str):
        if cost not in COSTS:
            raise ValueError(f"cost must be one of {sorted(COSTS)}, got {cost!r}")
        return COSTS[cost]
    cls = cost if isinstance(cost, type) else type(cost)
    for known in COSTS.values():
        if issubclass(cls, known):
            return known
    raise TypeError(f"cost must be a name {sorted(COSTS)} or one of the cost classes "
                    f"QuadraticCost, CrossEntropyCost, LogLikelihoodCost, got {cost!r}")


def check_architecture(activation: str, output, cost: CostLike, n_out: int) -> Tuple[str, str, type]:
    """``(activation, output, cost class)`` after checking they go together. ``output``
    None means softmax for the log-likelihood, sigmoid otherwise."""
    if not isinstance(activation, str) or activation not in ACTIVATIONS:
        raise ValueError(f"activation must be one of {sorted(ACTIVATIONS)}, got {activation!r}")
    cls = cost_class(cost)
    if output is None:
        output = "softmax" if cls is LogLikelihoodCost else "sigmoid"
    if not isinstance(output, str) or output not in OUTPUTS:
        raise ValueError(f"output must be one of {sorted(OUTPUTS)}, got {output!r}")
    if cls is CrossEntropyCost and output != "sigmoid":
        raise ValueError(f"the cross-entropy cost needs sigmoid outputs, got output={output!r}")
    if (cls is LogLikelihoodCost) != (output == "softmax"):
        raise ValueError("a softmax output and the log-likelihood cost go together "
                         f"(got output={output!r}, cost={cls.name!r})")
    if output == "softmax" and n_out < 2:
        raise ValueError("a softmax output layer needs at least 2 neurons")
    return activation, output, cls
