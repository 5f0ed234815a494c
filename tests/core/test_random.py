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
