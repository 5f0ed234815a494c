"""The compiled shuffle is random.shuffle: same permutation, same state afterwards."""
import random

import numpy as np
import pytest

from fastnet.core.rng import shuffle


@pytest.mark.parametrize("n", [0, 1, 2, 3, 17, 623, 624, 625, 1249, 50000])
@pytest.mark.parametrize("seed", [0, 1, 12345, "a string seed"])
def test_same_permutation_and_state_as_random_shuffle(seed, n):
    random.seed(seed)
    expected = list(range(n))
    random.shuffle(expected)
    next_expected = random.getrandbits(64)

    random.seed(seed)
    order = np.arange(n, dtype=np.int64)
    shuffle(order)
    assert order.tolist() == expected
    assert random.getrandbits(64) == next_expected


def test_successive_shuffles_compose_like_the_originals_list():
    """The original shuffles the same list every epoch: the permutations compose."""
    random.seed(9)
    data = list(range(1000))
    for _ in range(3):
        random.shuffle(data)
    random.seed(9)
    order = np.arange(1000, dtype=np.int64)
    for _ in range(3):
        shuffle(order)
    assert order.tolist() == data


def test_a_threads_own_generators_give_the_shared_ones_numbers_and_leave_them_alone():
    """Inside ``rng.own_random`` a network draws its weights, dropout seed and shuffles
    from the thread's own generators: seeded alike, the same run as with the shared
    ``np.random`` and ``random``, which stay untouched."""
    import random

    from fastnet.core import rng
    from fastnet.network import Network
    X = np.random.default_rng(0).random((40, 6), dtype=np.float32)
    y = np.arange(40) % 3

    def run():
        net = Network([6, 5, 3])
        for _ in net.train_epochs((X, y), 2, 4, 1.0, dropout=0.2):
            pass
        return [w.copy() for w in net.weights]
    np.random.seed(11)
    random.seed(11)
    shared = run()
    np.random.seed(99)
    random.seed(99)
    before = (np.random.get_state()[1].copy(), random.getstate())
    with rng.own_random():
        rng.seed(11)
        own = run()
    assert np.array_equal(np.random.get_state()[1], before[0]) and random.getstate() == before[1]
    for a, b in zip(shared, own):
        np.testing.assert_array_equal(a, b)
