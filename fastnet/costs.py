"""``fastnet.costs``, the old name of :mod:`fastnet.core.costs` (the cost classes) and
:mod:`fastnet.core.registry` (the names of activations and costs)."""
from .core.costs import (
           CrossEntropyCost,
           LogLikelihoodCost,
           QuadraticCost,
           mean_cost,
           output_activation,
)
from .core.registry import (
           ACTIVATIONS,
           COSTS,
           OUTPUTS,
           CostLike,
           check_architecture,
           cost_class,
)

__all__ = ["ACTIVATIONS", "COSTS", "OUTPUTS", "CostLike", "CrossEntropyCost", "LogLikelihoodCost",
           "QuadraticCost", "check_architecture", "cost_class", "mean_cost", "output_activation"]
