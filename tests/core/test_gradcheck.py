"""backprop against central finite differences of the quadratic cost (27), in float64."""
import numpy as np
import pytest

from fastnet import Network


def cost(net, x, y):
    """C_x = ||y - a^L||^2 / 2 through the network's own feedforward."""
    return 0.5 * float(np.sum((y - net.feedforward(x)) ** 2))


@pytest.mark.parametrize("sizes", [[784, 10], [784, 30, 10], [6, 5, 4, 3, 2], [3, 1], [2, 9, 9, 9, 9, 1]], ids=str)
def test_backprop_is_the_gradient(sizes):
    np.random.seed(11)
    net = Network(sizes, dtype=np.float64)
    # Small weights keep the sigmoids out of saturation, so the gradient is not ~0.
    net.weights = [w * 0.1 for w in net.weights]
    rng = np.random.default_rng(12)
    x = rng.random((sizes[0], 1))
    y = rng.random((sizes[-1], 1))
    nabla_b, nabla_w = net.backprop(x, y)
    h = 1e-6
    for layers, grads in ((net.biases, nabla_b), (net.weights, nabla_w)):
        for layer, grad in zip(layers, grads):
            # check up to 40 entries of each layer, spread over it
            for flat_index in rng.choice(layer.size, size=min(40, layer.size), replace=False):
                index = np.unravel_index(flat_index, layer.shape)  # layer is a view: writes reach the network
                saved = layer[index]
                layer[index] = saved + h
                up = cost(net, x, y)
                layer[index] = saved - h
                down = cost(net, x, y)
                layer[index] = saved
                numeric = (up - down) / (2 * h)
                assert grad[index] == pytest.approx(numeric, rel=1e-6, abs=1e-9)
