"""The book's network2.py, written plainly from its equations, plus the modern options:
the reference that compiled network2-style kernels are checked against. Per-example
numpy, float64, slow, obvious.

What is the book's (chapter 3, ``network2.py``, in Python 3):
- ``QuadraticCost``, ``CrossEntropyCost`` (static ``fn`` and ``delta``);
- ``ReferenceNetwork2(sizes, cost)`` with ``default_weight_initializer`` (biases then
  weights from ``np.random.randn``, weights divided by sqrt(fan-in)),
  ``large_weight_initializer``, ``feedforward``, ``SGD`` with the four monitors and their
  printed lines, ``update_mini_batch`` with L2 regularisation, ``backprop``,
  ``accuracy``, ``total_cost``, ``save``; module-level ``load`` and ``vectorized_result``.

What is added (every addition defaults to "off", which gives the book's algorithm):
- ``CrossEntropyCost.fn`` computed without ``np.nan_to_num``: 0 * log(0) is taken as 0,
  and a confidently wrong output (a = 0 where y = 1) costs +inf, honestly;
- ``LogLikelihoodCost`` for a softmax output layer (chapter 3's softmax section);
- ``activation`` of the hidden layers ("sigmoid", "tanh", "relu") and ``output`` of the
  last layer ("sigmoid", "tanh", "relu", "softmax");
- ``l1`` regularisation and ``momentum`` in ``update_mini_batch`` (see
  :func:`plain_step` and :func:`momentum_step` for the exact rules);
- inverted dropout of the hidden layers with masks the caller can supply (``mask_fn``),
  so that the compiled code's own random masks can be replayed here.

Allowed cost / output combinations: QuadraticCost with any elementwise output
(delta = (a - y) * f'(z) of that output); CrossEntropyCost only with a sigmoid output
(delta = a - y); LogLikelihoodCost only with a softmax output (delta = a - y); a softmax
output only with LogLikelihoodCost. Anything else raises ValueError.
"""
import json
import random

import numpy as np

ACTIVATIONS = ("sigmoid", "tanh", "relu")
OUTPUTS = ACTIVATIONS + ("softmax", "linear")


# ---------------------------------------------------------------- activations

def sigmoid(z):
    """The sigmoid function (3). exp(-z) may overflow to inf for z < -709: 1/inf = 0 is
    the right limit, so that overflow is not reported."""
    with np.errstate(over="ignore"):
        return 1.0 / (1.0 + np.exp(-z))


def sigmoid_prime(z):
    """Derivative of the sigmoid function."""
    return sigmoid(z) * (1 - sigmoid(z))


def softmax(z):
    """Softmax over axis 0 (the units of a column vector), computed stably: exp(z - max z)."""
    z = np.asarray(z, np.float64)
    e = np.exp(z - np.max(z, axis=0, keepdims=True))
    return e / np.sum(e, axis=0, keepdims=True)


def activate(name, z):
    """f(z) for the activation called ``name``."""
    if name == "sigmoid":
        return sigmoid(z)
    if name == "tanh":
        return np.tanh(z)
    if name == "relu":
        return np.maximum(z, 0.0)
    if name == "softmax":
        return softmax(z)
    if name == "linear":
        return np.asarray(z, np.float64)
    raise ValueError(f"unknown activation {name!r}; expected one of {OUTPUTS}")


def activation_prime(name, z, a):
    """f'(z) of an elementwise activation, from z and a = f(z): sigmoid a(1 - a), tanh
    1 - a^2, relu 1 where z > 0 else 0 (0 at the kink z = 0). Softmax has no elementwise
    derivative (its Jacobian is full) and raises ValueError."""
    if name == "sigmoid":
        return a * (1 - a)
    if name == "tanh":
        return 1 - a ** 2
    if name == "relu":
        return (z > 0).astype(np.float64)
    if name == "linear":
        return np.ones_like(np.asarray(z, np.float64))
    raise ValueError(f"activation {name!r} has no elementwise derivative")


# ---------------------------------------------------------------- costs

def _xlogy(x, y):
    """x * log(y) elementwise, with 0 where x == 0 (whatever y is, 0 included);
    x > 0 with y == 0 gives -inf."""
    x = np.asarray(x, np.float64)
    y = np.asarray(y, np.float64)
    with np.errstate(divide="ignore"):
        return np.where(x == 0, 0.0, x * np.log(np.where(x == 0, 1.0, y)))


class QuadraticCost:

    @staticmethod
    def fn(a, y):
        """C = ||a - y||^2 / 2."""
        return 0.5 * float(np.sum((np.asarray(a, np.float64) - y) ** 2))

    @staticmethod
    def delta(z, a, y):
        """Output error (BP1) of a sigmoid output layer: (a - y) * sigma'(z). For other
        outputs the network uses (a - y) * f'(z) of that output."""
        return (a - y) * sigmoid_prime(z)


class CrossEntropyCost:

    @staticmethod
    def fn(a, y):
        """C = sum(-y ln a - (1 - y) ln(1 - a)) with 0 ln 0 = 0: finite when a hits 0 or 1
        where y agrees; +inf when a = 0 where y > 0 (or a = 1 where y < 1)."""
        return float(np.sum(-_xlogy(y, a) - _xlogy(1 - np.asarray(y, np.float64),
                                                  1 - np.asarray(a, np.float64))))

    @staticmethod
    def delta(z, a, y):
        """Output error of a sigmoid output layer: a - y (sigma'(z) cancels)."""
        return a - y


class LogLikelihoodCost:

    @staticmethod
    def fn(a, y):
        """C = -sum(y ln a) (with 0 ln 0 = 0): -ln a_y for a one-hot y."""
        return float(-np.sum(_xlogy(y, a)))

    @staticmethod
    def delta(z, a, y):
        """Output error of a softmax output layer: a - y (for targets summing to 1)."""
        return a - y


COSTS = {c.__name__: c for c in (QuadraticCost, CrossEntropyCost, LogLikelihoodCost)}


def check_combination(cost, output):
    """Raise ValueError unless ``cost`` (a class of COSTS) may be used with ``output``."""
    if output not in OUTPUTS:
        raise ValueError(f"output must be one of {OUTPUTS}, got {output!r}")
    if cost is CrossEntropyCost and output != "sigmoid":
        raise ValueError(f"CrossEntropyCost needs a sigmoid output, got {output!r}")
    if cost is LogLikelihoodCost and output != "softmax":
        raise ValueError(f"LogLikelihoodCost needs a softmax output, got {output!r}")
    if output == "softmax" and cost is not LogLikelihoodCost:
        raise ValueError(f"a softmax output needs LogLikelihoodCost, got {cost.__name__}")


# ---------------------------------------------------------------- update rules

def plain_step(w, b, nabla_w, nabla_b, m, eta, lmbda, n, l1=0.0):
    """One layer's update without momentum, returning the new (w, b):

        w <- (1 - eta*lmbda/n) w - eta*(l1/n)*sign(w) - (eta/m) * sum_x grad_w C_x
        b <- b - (eta/m) * sum_x grad_b C_x

    ``nabla_w``/``nabla_b`` are the sums over the mini-batch of the per-example
    gradients, m its size, n the size of the whole training set. sign(0) = 0.
    Biases are never regularised.
    """
    w = (1 - eta * (lmbda / n)) * w - eta * (l1 / n) * np.sign(w) - (eta / m) * nabla_w
    b = b - (eta / m) * nabla_b
    return w, b


def momentum_step(w, b, v_w, v_b, nabla_w, nabla_b, m, eta, lmbda, n, l1=0.0, mu=0.0):
    """One layer's update with momentum mu, returning the new (w, b, v_w, v_b):

        v_w <- mu v_w - eta*((lmbda/n) w + (l1/n) sign(w) + (1/m) sum_x grad_w C_x)
        w   <- w + v_w
        v_b <- mu v_b - (eta/m) sum_x grad_b C_x
        b   <- b + v_b

    With mu = 0 this is :func:`plain_step` up to rounding.
    """
    v_w = mu * v_w - eta * ((lmbda / n) * w + (l1 / n) * np.sign(w) + nabla_w / m)
    v_b = mu * v_b - (eta / m) * nabla_b
    return w + v_w, b + v_b, v_w, v_b


# ---------------------------------------------------------------- dropout masks

def bernoulli_mask_fn(p, rng=None):
    """A ``mask_fn(example_index_in_batch, layer_index, n_units)`` keeping each unit with
    probability 1 - p (unit kept where a uniform draw u >= p), drawing from ``rng``
    (a numpy Generator/RandomState; default: the global ``np.random``)."""
    source = np.random if rng is None else rng
    draw = source.random if hasattr(source, "random") else source.random_sample

    def mask_fn(example_index, layer_index, n_units):
        return (draw(n_units) >= p).astype(np.float64).reshape(n_units, 1)
    return mask_fn


def make_masks(mask_fn, batch_size, hidden_sizes):
    """``masks[i][l]`` = ``mask_fn(i, l, hidden_sizes[l])`` as an (n_l, 1) float array,
    called in this order: example i = 0..batch_size-1, then hidden layer l (0 = the
    first hidden layer)."""
    return [[np.asarray(mask_fn(i, l, n), np.float64).reshape(n, 1)
             for l, n in enumerate(hidden_sizes)] for i in range(batch_size)]


# ---------------------------------------------------------------- the network

class ReferenceNetwork2:

    def __init__(self, sizes, cost=CrossEntropyCost, activation="sigmoid", output="sigmoid"):
        sizes = [int(s) for s in sizes]
        if len(sizes) < 2 or min(sizes) < 1:
            raise ValueError(f"sizes must list >= 2 positive layer sizes, got {sizes}")
        if not (isinstance(cost, type) and cost in COSTS.values()):
            raise TypeError(f"cost must be one of the classes {sorted(COSTS)}, got {cost!r}")
        if activation not in ACTIVATIONS:
            raise ValueError(f"activation must be one of {ACTIVATIONS}, got {activation!r}")
        check_combination(cost, output)
        self.num_layers = len(sizes)
        self.sizes = sizes
        self.cost = cost
        self.activation = activation
        self.output = output
        self.default_weight_initializer()

    # -- initialisation

    def default_weight_initializer(self):
        """Biases N(0, 1), weights N(0, 1/fan-in); biases drawn first. Resets velocities."""
        self.biases = [np.random.randn(y, 1) for y in self.sizes[1:]]
        self.weights = [np.random.randn(y, x) / np.sqrt(x)
                        for x, y in zip(self.sizes[:-1], self.sizes[1:])]
        self.reset_velocities()

    def large_weight_initializer(self):
        """Biases and weights N(0, 1) (chapter 1's initialisation). Resets velocities."""
        self.biases = [np.random.randn(y, 1) for y in self.sizes[1:]]
        self.weights = [np.random.randn(y, x) for x, y in zip(self.sizes[:-1], self.sizes[1:])]
        self.reset_velocities()

    def reset_velocities(self):
        """Momentum velocities to zero (one per weight matrix and bias vector)."""
        self.velocity_weights = [np.zeros_like(w) for w in self.weights]
        self.velocity_biases = [np.zeros_like(b) for b in self.biases]

    @property
    def hidden_sizes(self):
        return self.sizes[1:-1]

    # -- forward and backward

    def feedforward(self, a):
        """The network's output for input ``a`` (a column, or columns side by side); no dropout."""
        a = np.asarray(a, np.float64)
        for l, (b, w) in enumerate(zip(self.biases, self.weights)):
            a = activate(self._layer_activation(l), np.dot(w, a) + b)
        return a

    def _layer_activation(self, l):
        return self.output if l == self.num_layers - 2 else self.activation

    def _mask_scales(self, mask, dropout):
        """mask / (1 - p) per hidden layer as (n_l, 1) arrays, or None without a mask."""
        if mask is None:
            return None
        if not 0.0 <= dropout < 1.0:
            raise ValueError(f"dropout must be in [0, 1), got {dropout}")
        if len(mask) != len(self.hidden_sizes):
            raise ValueError(f"a mask needs {len(self.hidden_sizes)} hidden layers, got {len(mask)}")
        scales = []
        for l, (m, n) in enumerate(zip(mask, self.hidden_sizes)):
            m = np.asarray(m, np.float64)
            if m.size != n:
                raise ValueError(f"mask of hidden layer {l} needs {n} units, got shape {m.shape}")
            if not np.all((m == 0) | (m == 1)):
                raise ValueError(f"mask of hidden layer {l} must hold only 0 and 1")
            scales.append(m.reshape(n, 1) / (1.0 - dropout))
        return scales

    def forward(self, x, mask=None, dropout=0.0):
        """One example's forward pass: (zs, fs, activations) where zs[l] = w a + b of
        layer l, fs[l] = f(zs[l]), and activations[l] the input of layer l
        (activations[0] = x; a hidden layer's output times mask/(1 - p) with a mask)."""
        x = np.asarray(x, np.float64).reshape(-1, 1)
        if x.shape[0] != self.sizes[0]:
            raise ValueError(f"x needs {self.sizes[0]} inputs, got {x.shape[0]}")
        scales = self._mask_scales(mask, dropout)
        zs, fs, activations = [], [], [x]
        activation = x
        for l, (b, w) in enumerate(zip(self.biases, self.weights)):
            z = np.dot(w, activation) + b
            f = activate(self._layer_activation(l), z)
            zs.append(z)
            fs.append(f)
            last = l == self.num_layers - 2
            activation = f if (scales is None or last) else f * scales[l]
            activations.append(activation)
        return zs, fs, activations

    def output_delta(self, z, a, y):
        """BP1: dC/dz of the output layer."""
        if self.cost is QuadraticCost and self.output != "sigmoid":
            return (a - y) * activation_prime(self.output, z, a)
        return self.cost.delta(z, a, y)

    def backprop(self, x, y, mask=None, dropout=0.0):
        """(nabla_b, nabla_w): the gradient of C_x, layer by layer like the biases and
        weights (BP1-BP4). With ``mask`` (per hidden layer a 0/1 array (n_l, 1)) the
        hidden outputs are f(z) * mask / (1 - dropout) and the hidden deltas carry the
        same factor."""
        y = np.asarray(y, np.float64).reshape(-1, 1)
        if y.shape[0] != self.sizes[-1]:
            raise ValueError(f"y needs {self.sizes[-1]} outputs, got {y.shape[0]}")
        zs, fs, activations = self.forward(x, mask, dropout)
        scales = self._mask_scales(mask, dropout)
        L = self.num_layers - 1
        nabla_b = [None] * L
        nabla_w = [None] * L
        delta = self.output_delta(zs[-1], fs[-1], y)  # BP1
        nabla_b[-1] = delta  # BP3
        nabla_w[-1] = np.dot(delta, activations[-2].T)  # BP4
        for l in range(L - 2, -1, -1):
            delta = np.dot(self.weights[l + 1].T, delta) * activation_prime(
                self.activation, zs[l], fs[l])  # BP2
            if scales is not None:
                delta = delta * scales[l]
            nabla_b[l] = delta
            nabla_w[l] = np.dot(delta, activations[l].T)
        return nabla_b, nabla_w

    def example_cost(self, x, y, mask=None, dropout=0.0):
        """C_x = cost.fn(a, y) of one example (no regularisation), through the masked
        forward pass when a mask is given: the function ``backprop`` differentiates."""
        a = self.forward(x, mask, dropout)[2][-1]
        return self.cost.fn(a, np.asarray(y, np.float64).reshape(-1, 1))

    # -- training

    def update_mini_batch(self, mini_batch, eta, lmbda, n, l1=0.0, momentum=0.0, masks=None,
                          dropout=0.0):
        """One gradient step on ``mini_batch`` (a list of (x, y)); n is the size of the
        whole training set (for the regularisation terms). ``masks``: per example a list
        of per-hidden-layer 0/1 arrays (dropout with probability ``dropout``), or None.
        momentum > 0 uses :func:`momentum_step` with the velocities kept on the network,
        else :func:`plain_step`."""
        self._apply(self.gradient_sums(mini_batch, masks, dropout), len(mini_batch),
                    eta, lmbda, n, l1, momentum, use_velocity=momentum > 0)

    def gradient_sums(self, mini_batch, masks=None, dropout=0.0):
        """(nabla_b, nabla_w) summed over the examples of ``mini_batch``."""
        mini_batch = list(mini_batch)
        if not mini_batch:
            raise ValueError("empty mini-batch")
        if masks is not None and len(masks) != len(mini_batch):
            raise ValueError(f"{len(mini_batch)} examples but {len(masks)} masks")
        nabla_b = [np.zeros(b.shape) for b in self.biases]
        nabla_w = [np.zeros(w.shape) for w in self.weights]
        for i, (x, y) in enumerate(mini_batch):
            mask = None if masks is None else masks[i]
            delta_nabla_b, delta_nabla_w = self.backprop(x, y, mask, dropout)
            nabla_b = [nb + dnb for nb, dnb in zip(nabla_b, delta_nabla_b)]
            nabla_w = [nw + dnw for nw, dnw in zip(nabla_w, delta_nabla_w)]
        return nabla_b, nabla_w

    def _apply(self, sums, m, eta, lmbda, n, l1, momentum, use_velocity):
        nabla_b, nabla_w = sums
        if n <= 0:
            raise ValueError(f"n (training set size) must be positive, got {n}")
        if momentum < 0:
            raise ValueError(f"momentum must be >= 0, got {momentum}")
        if not use_velocity:
            stepped = [plain_step(w, b, nw, nb, m, eta, lmbda, n, l1)
                       for w, b, nw, nb in zip(self.weights, self.biases, nabla_w, nabla_b)]
            self.weights = [w for w, _ in stepped]
            self.biases = [b for _, b in stepped]
            return
        stepped = [momentum_step(w, b, vw, vb, nw, nb, m, eta, lmbda, n, l1, momentum)
                   for w, b, vw, vb, nw, nb in zip(self.weights, self.biases,
                                                   self.velocity_weights, self.velocity_biases,
                                                   nabla_w, nabla_b)]
        self.weights = [s[0] for s in stepped]
        self.biases = [s[1] for s in stepped]
        self.velocity_weights = [s[2] for s in stepped]
        self.velocity_biases = [s[3] for s in stepped]

    def SGD(self, training_data, epochs, mini_batch_size, eta, lmbda=0.0,
            evaluation_data=None,
            monitor_evaluation_cost=False,
            monitor_evaluation_accuracy=False,
            monitor_training_cost=False,
            monitor_training_accuracy=False,
            *, l1=0.0, momentum=0.0, dropout=0.0, mask_fn=None):
        """Mini-batch stochastic gradient descent, as the book's network2.SGD.

        ``training_data``: list of (x, y) with y one-hot columns (shuffled in place with
        ``random.shuffle`` each epoch, like the book; any other iterable is copied to a
        list first). ``evaluation_data``: (x, label) pairs. Returns the per-epoch lists
        (evaluation_cost, evaluation_accuracy, training_cost, training_accuracy); a list
        stays empty when its monitor is off.

        Additions (keyword-only): ``l1``, ``momentum``, and ``dropout`` = p with masks
        from ``mask_fn(example_index_in_batch, layer_index, n_units)`` (default
        :func:`bernoulli_mask_fn` on ``np.random``), called per mini-batch in the order
        of :func:`make_masks`. Without dropout and without mask_fn no masks are used.
        """
        if not isinstance(training_data, list):
            training_data = list(training_data)
        if evaluation_data is not None and not isinstance(evaluation_data, list):
            evaluation_data = list(evaluation_data)
        if (monitor_evaluation_cost or monitor_evaluation_accuracy) and evaluation_data is None:
            raise ValueError("monitoring evaluation cost or accuracy needs evaluation_data")
        if not 0.0 <= dropout < 1.0:
            raise ValueError(f"dropout must be in [0, 1), got {dropout}")
        if mask_fn is None and dropout > 0:
            mask_fn = bernoulli_mask_fn(dropout)
        n_data = len(evaluation_data) if evaluation_data is not None else 0
        n = len(training_data)
        evaluation_cost, evaluation_accuracy = [], []
        training_cost, training_accuracy = [], []
        for j in range(epochs):
            random.shuffle(training_data)
            mini_batches = [training_data[k:k + mini_batch_size]
                            for k in range(0, n, mini_batch_size)]
            for mini_batch in mini_batches:
                masks = (None if mask_fn is None
                         else make_masks(mask_fn, len(mini_batch), self.hidden_sizes))
                self.update_mini_batch(mini_batch, eta, lmbda, len(training_data),
                                       l1=l1, momentum=momentum, masks=masks, dropout=dropout)
            print("Epoch %s training complete" % j)
            if monitor_training_cost:
                cost = self.total_cost(training_data, lmbda, l1=l1)
                training_cost.append(cost)
                print("Cost on training data: {}".format(cost))
            if monitor_training_accuracy:
                accuracy = self.accuracy(training_data, convert=True)
                training_accuracy.append(accuracy)
                print("Accuracy on training data: {} / {}".format(accuracy, n))
            if monitor_evaluation_cost:
                cost = self.total_cost(evaluation_data, lmbda, convert=True, l1=l1)
                evaluation_cost.append(cost)
                print("Cost on evaluation data: {}".format(cost))
            if monitor_evaluation_accuracy:
                accuracy = self.accuracy(evaluation_data)
                evaluation_accuracy.append(accuracy)
                print("Accuracy on evaluation data: {} / {}".format(accuracy, n_data))
            print()
        return evaluation_cost, evaluation_accuracy, training_cost, training_accuracy

    # -- evaluation

    def accuracy(self, data, convert=False):
        """Number of inputs in ``data`` whose output's argmax is the right class.
        convert=True: y are one-hot vectors (training data), else int labels."""
        if convert:
            results = [(np.argmax(self.feedforward(x)), np.argmax(y)) for (x, y) in data]
        else:
            results = [(np.argmax(self.feedforward(x)), y) for (x, y) in data]
        return sum(int(x == y) for (x, y) in results)

    def total_cost(self, data, lmbda, convert=False, l1=0.0):
        """Mean cost over ``data`` plus 0.5*(lmbda/len(data))*sum ||w||^2 (and, an addition,
        (l1/len(data))*sum |w|). convert=True: y are int labels to vectorise (evaluation
        data), else vectors."""
        data = data if isinstance(data, list) else list(data)
        cost = 0.0
        for x, y in data:
            a = self.feedforward(x)
            if convert:
                y = vectorized_result(y, self.sizes[-1])
            cost += self.cost.fn(a, y) / len(data)
        cost += 0.5 * (lmbda / len(data)) * sum(np.linalg.norm(w) ** 2 for w in self.weights)
        if l1:
            cost += (l1 / len(data)) * sum(np.sum(np.abs(w)) for w in self.weights)
        return cost

    # -- files

    def save(self, filename):
        """JSON of the book's format {"sizes", "weights", "biases", "cost"}; the keys
        "activation"/"output" are added only when not "sigmoid" (network2.load ignores them)."""
        data = {"sizes": self.sizes,
                "weights": [w.tolist() for w in self.weights],
                "biases": [b.tolist() for b in self.biases],
                "cost": str(self.cost.__name__)}
        if self.activation != "sigmoid":
            data["activation"] = self.activation
        if self.output != "sigmoid":
            data["output"] = self.output
        with open(filename, "w") as f:
            json.dump(data, f)


def load(filename):
    """A ReferenceNetwork2 from a file written by ``save`` (or by the book's network2).
    Like the book, constructing the network first draws (and then discards) random
    initial parameters; the cost is looked up by name among this module's costs."""
    with open(filename, "r") as f:
        data = json.load(f)
    try:
        cost = COSTS[data["cost"]]
    except KeyError:
        raise ValueError(f"unknown cost {data.get('cost')!r}; expected one of {sorted(COSTS)}") from None
    net = ReferenceNetwork2(data["sizes"], cost=cost, activation=data.get("activation", "sigmoid"),
                            output=data.get("output", "sigmoid"))
    net.weights = [np.array(w, dtype=np.float64) for w in data["weights"]]
    net.biases = [np.array(b, dtype=np.float64) for b in data["biases"]]
    net.reset_velocities()
    return net


def vectorized_result(j, size=10):
    """A (size, 1) one-hot column with 1.0 at position j."""
    e = np.zeros((size, 1))
    e[j] = 1.0
    return e
