"""The seed's questions as reproducible experiments, each a ``run(...) -> Result``
(a Markdown table) and a ``plot(result, path)``; ``fastnet experiment NAME`` runs them.

- ``hidden``: test accuracy against the size n of the hidden layer
- ``encoding``: 10 one-hot outputs vs 4 binary outputs (and the book's fixed 10 -> 4 layer)
- ``detector``: one output neuron answering "is this digit k?" (28x28 and 64x64 inputs)
- ``reduction``: summed vs averaged gradients over the mini-batch
- ``eta``: the learning rate, 0.001 to 100
- ``perceptron``: small weight changes flip perceptrons, not sigmoid neurons
- ``descent``: gradient descent on a 2-D valley, equations (7)-(11)
- ``strings``: reading generated numbers (segmentation, then recognition)
"""
#: every experiment, by the name of its module (``fastnet experiment NAME``)
NAMES = ("hidden", "encoding", "detector", "reduction", "eta", "perceptron", "descent", "strings")
