"""Lists of ``(x, y)`` pairs (the book's data form) become the same arrays as stacking
every x and y gives, in every form the book's loader and users produce, with every check
and error kept; in-place changes to the list or its arrays are seen."""
import fractions
import random
import warnings

import numpy as np
import pytest

from fastnet import Network, mnist_loader
from fastnet.core import pairs as pairs_module, validate
from fastnet.core.validate import to_arrays


def reference(data, n_in, n_out, dtype, n_classes=None):
    """The conversion as it was: np.stack of every x and y, then the checked cast."""
    xs, ys = [], []
    for x, y in data:
        xs.append(np.asarray(x))
        ys.append(y)
    X = np.stack([x.reshape(n_in) for x in xs])
    if all(isinstance(y, (int, np.integer)) and not isinstance(y, (bool, np.bool_)) for y in ys):
        y = np.asarray(ys, dtype=np.int64)
    else:
        y = np.stack([np.asarray(y) for y in ys]).astype(np.float64).reshape(len(ys), -1)
    X = validate.check_inputs(X, n_in, dtype, "data")
    return X, validate.check_outputs(y, len(X), n_out, dtype, "data", n_classes)


def book_pairs(n, n_in=12, n_out=3, x_dtype=np.float32, y_form="one-hot", shuffle=True, seed=0):
    """Pairs as load_data_wrapper makes them: views of one array of inputs, and one-hot
    (n_out, 1) columns (float64 or float32), int labels, or numpy int labels."""
    rng = np.random.default_rng(seed)
    X = (rng.random((n, n_in)) * (rng.random((n, n_in)) < 0.3)).astype(x_dtype)
    labels = rng.integers(0, n_out, n)
    if y_form == "one-hot":
        one_hot = np.zeros((n, n_out, 1))
        one_hot[np.arange(n), labels, 0] = 1.0
        ys = list(one_hot)
    elif y_form == "one-hot float32":
        ys = list(np.eye(n_out, dtype=np.float32)[labels][:, :, None])
    elif y_form == "flat vectors":
        ys = list(rng.random((n, n_out)))
    elif y_form == "row vectors":
        ys = list(rng.random((n, 1, n_out)))
    elif y_form == "int":
        ys = [int(label) for label in labels]
    else:
        ys = list(labels)  # numpy int64 scalars, as the loader's test data
    pairs = list(zip(X[:, :, None], ys))
    if shuffle:
        random.Random(seed).shuffle(pairs)
    return pairs


def assert_same(got, expected):
    for a, b in zip(got, expected):
        assert a.dtype == b.dtype and a.shape == b.shape and a.flags.c_contiguous
        assert np.array_equal(a, b)
        assert a.tobytes() == b.tobytes()


@pytest.mark.parametrize("x_dtype", [np.float32, np.float64])
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("y_form", ["one-hot", "one-hot float32", "flat vectors", "row vectors",
                                    "int", "numpy int"])
def test_book_pairs_become_the_same_arrays(x_dtype, dtype, y_form):
    pairs = book_pairs(300, x_dtype=x_dtype, y_form=y_form)
    n_classes = 3 if y_form in ("int", "numpy int") else None
    got = to_arrays(pairs, 12, 3, dtype, "data", n_classes)
    assert_same(got, reference(pairs, 12, 3, dtype, n_classes))


@pytest.mark.parametrize("y_form", ["one-hot", "one-hot float32", "flat vectors", "row vectors",
                                    "int", "numpy int"])
@pytest.mark.parametrize("x_dtype", [np.float32, np.float64])
def test_the_loaders_forms_take_numpys_one_pass(x_dtype, y_form):
    """Lists of ndarray pairs of one shape and dtype are copied by numpy in C, into the
    network's dtype, and give what the checked loop gives."""
    pairs = [(x.copy(), y.copy() if isinstance(y, np.ndarray) else y)
             for x, y in book_pairs(300, x_dtype=x_dtype, y_form=y_form)]
    assert pairs_module._rows_shown(pairs, 0) is None
    X, y, rows = pairs_module._uniform(pairs, 12, np.float32)
    assert rows is None
    assert X.dtype == np.float32 and X.flags.c_contiguous and X.flags.writeable
    X_checked, y_checked = pairs_module._checked(pairs, 12, "data")
    assert X.tobytes() == X_checked.astype(np.float32).tobytes()
    assert y.dtype == y_checked.dtype and y.tobytes() == y_checked.tobytes()


@pytest.mark.parametrize("make", [tuple, iter, lambda pairs: (pair for pair in pairs),
                                  lambda pairs: zip(*zip(*pairs))])
def test_tuples_iterators_generators_and_zips_of_pairs(make):
    pairs = book_pairs(200)
    assert_same(to_arrays(make(pairs), 12, 3, np.float64, "data"), reference(pairs, 12, 3, np.float64))


class Subclass(np.ndarray):
    pass


def odd_inputs():
    rng = np.random.default_rng(1)
    wide = rng.random((12, 40))
    return {
        "flat (n_in,)": [(rng.random(12), 1), (rng.random(12), 0)],
        "flat and column mixed": [(rng.random(12), 1), (rng.random((12, 1)), 0)],
        "columns of a Fortran array": [(c, 2) for c in np.asfortranarray(wide).T[:, :, None]],
        "strided columns": [(wide[:, [j]], j % 3) for j in range(40)],
        "reversed": [(x[::-1], 1) for x in rng.random((5, 12, 1))],
        "float16": [(rng.random((12, 1)).astype(np.float16), 1)] * 3,
        "mixed dtypes": [(rng.random((12, 1)), 1), (rng.random((12, 1)).astype(np.float32), 2)],
        "lists": [(list(rng.random(12)), 1), (rng.random(12), 0)],
        "uint8": [(rng.integers(0, 255, (12, 1), dtype=np.uint8), 0)] * 2,
        "big-endian": [(rng.random((12, 1)).astype(">f8"), 0)] * 2,
        "pairs as lists": [[x, 1] for x in rng.random((4, 12, 1))],
        "ndarray subclass": [(rng.random((12, 1)).view(Subclass), 1)] * 2,
    }


@pytest.mark.parametrize("name", sorted(odd_inputs()))
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_other_forms_become_the_same_arrays(name, dtype):
    pairs = odd_inputs()[name]
    assert_same(to_arrays(pairs, 12, 3, dtype, "data"), reference(pairs, 12, 3, dtype))


@pytest.mark.parametrize("name", ["flat and column mixed", "mixed dtypes", "lists", "ndarray subclass"])
def test_lists_numpy_cannot_vouch_for_go_through_the_checked_loop(name):
    assert pairs_module._uniform(odd_inputs()[name], 12, np.float32) is None


@pytest.mark.parametrize("bad, message", [
    ((np.zeros((11, 1)), 0), r"data\[777\] input must have shape \(12, 1\), got \(11, 1\)"),
    ((np.zeros((12, 2)), 0), r"data\[777\] input must have shape \(12, 1\), got \(12, 2\)"),
    ((np.zeros((1, 12)), 0), r"data\[777\] input must have shape \(12, 1\), got \(1, 12\)"),
    ((np.zeros((12, 1)), np.zeros((4, 1))), r"data\[777\] output must be an int label or a vector shaped like"),
    ((np.zeros((12, 1)),), r"data\[777\] must be an \(x, y\) pair"),
    ((np.zeros((12, 1)), 0, 0), r"data\[777\] must be an \(x, y\) pair"),
    ((np.zeros((12, 1)), np.zeros((3, 1), complex)), r"data\[777\] output must be an int label"),
])
def test_a_bad_pair_deep_in_a_long_list_is_named(bad, message):
    pairs = book_pairs(1000)
    pairs[777] = bad
    assert pairs_module._uniform(pairs, 12, np.float32) is None
    with pytest.raises((TypeError, ValueError), match=message):
        to_arrays(pairs, 12, 3, np.float32, "data")


def test_non_finite_and_out_of_range_values_are_still_refused():
    pairs = book_pairs(1000, y_form="int")
    pairs[640] = (np.full((12, 1), np.nan, np.float32), 1)
    with pytest.raises(ValueError, match="data input 640 contains NaN"):
        to_arrays(pairs, 12, 3, np.float32, "data")
    pairs[640] = (np.full((12, 1), 1e300), 1)
    with pytest.raises(ValueError, match="data input 640 .* too large for float32"):
        to_arrays(pairs, 12, 3, np.float32, "data")
    pairs = book_pairs(1000, y_form="int")
    pairs[5] = (pairs[5][0], 3)
    with pytest.raises(ValueError, match=r"data label 5 is 3, outside \[0, 3\)"):
        to_arrays(pairs, 12, 3, np.float32, "data", 3)
    pairs = book_pairs(1000)
    pairs[9][1][0, 0] = np.inf
    with pytest.raises(ValueError, match="data targets contain NaN or infinity"):
        to_arrays(pairs, 12, 3, np.float32, "data")


def test_in_place_changes_are_seen():
    """A list converted once and then changed (an array written in place, a pair
    replaced, the list reordered) converts to its new contents."""
    pairs = book_pairs(500)
    X0, y0 = to_arrays(pairs, 12, 3, np.float32, "data")
    pairs[10][0][3, 0] = 0.5  # the array itself, in place
    pairs[20][1][:] = np.eye(3)[:, [2]]
    X1, y1 = to_arrays(pairs, 12, 3, np.float32, "data")
    assert X1[10, 3] == np.float32(0.5) and np.array_equal(y1[20], [0, 0, 1])
    pairs[30] = (np.ones((12, 1), np.float32), np.eye(3)[:, [1]])
    pairs.reverse()
    X2, y2 = to_arrays(pairs, 12, 3, np.float32, "data")
    assert np.array_equal(X2[499 - 30], np.ones(12)) and np.array_equal(X2[0], X1[499])
    assert_same((X2, y2), reference(pairs, 12, 3, np.float32))
    pairs[0][0].shape = (12,)  # the same array object, reshaped in place
    assert_same(to_arrays(pairs, 12, 3, np.float64, "data"), reference(pairs, 12, 3, np.float64))


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("y_form", ["one-hot", "int"])
def test_an_epoch_on_the_list_equals_one_on_the_arrays(dtype, y_form):
    pairs = book_pairs(400, n_in=20, n_out=4, y_form=y_form, shuffle=False)
    X = np.vstack([x.T for x, _ in pairs])
    y = np.array([y if y_form == "int" else int(np.argmax(y)) for _, y in pairs])
    params = []
    for data in (pairs, (X, y)):
        np.random.seed(4)
        random.seed(4)
        net = Network([20, 7, 4], dtype=dtype)
        net.SGD(data, 2, 10, 3.0)
        params.append(np.concatenate([p.ravel() for p in net.weights + net.biases]))
    assert params[0].tobytes() == params[1].tobytes()


def test_arrays_of_different_lengths_are_named(capsys):
    net = Network([4, 3, 2])
    with pytest.raises(ValueError, match=r"^training_data = \(X, y\) needs one y per row of X: "
                                         r"X has 12 rows and y 11 labels$"):
        net.SGD((np.zeros((12, 4)), np.zeros(11, int)), 1, 4, 1.0)
    with pytest.raises(ValueError, match="test_data .* X has 5 rows and y 6 target vectors"):
        net.evaluate((np.zeros((5, 4)), np.zeros((6, 2))))


def test_a_fraction_is_a_learning_rate(capsys):
    """eta = Fraction(1, 2) trains exactly as eta = 0.5."""
    params = []
    for eta in (fractions.Fraction(1, 2), 0.5):
        np.random.seed(2)
        random.seed(2)
        net = Network([12, 5, 3])
        net.SGD(book_pairs(60), 1, 10, eta, lmbda=fractions.Fraction(1, 10))
        params.append(np.concatenate([p.ravel() for p in net.weights + net.biases]))
    assert params[0].tobytes() == params[1].tobytes()


def loader_pairs(n=300, n_in=12, n_out=3, seed=0):
    """Pairs as the book's loader makes them: views of the rows of an inputs array and
    of a one-hot array (``pairs.row_views``)."""
    rng = np.random.default_rng(seed)
    X = rng.random((n, n_in)).astype(np.float32)
    one_hot = np.eye(n_out)[rng.integers(0, n_out, n)]
    return list(zip(pairs_module.row_views(X, (n_in, 1)), pairs_module.row_views(one_hot, (n_out, 1))))


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_row_views_are_read_from_their_array(dtype):
    pairs = loader_pairs()
    X, y = to_arrays(pairs, 12, 3, dtype, "data")
    assert_same((X, y), reference(pairs, 12, 3, dtype))
    assert np.shares_memory(X, pairs[0][0]) == (dtype == np.float32)  # in order: no copy
    assert_same(to_arrays(pairs[100:250], 12, 3, dtype, "data"), reference(pairs[100:250], 12, 3, dtype))
    random.Random(1).shuffle(pairs)
    X, y = to_arrays(pairs, 12, 3, dtype, "data")
    assert_same((X, y), reference(pairs, 12, 3, dtype))
    assert not np.shares_memory(X, pairs[0][0])
    assert_same(to_arrays(pairs[100:250], 12, 3, dtype, "data"), reference(pairs[100:250], 12, 3, dtype))


@pytest.mark.parametrize("y_form", ["one-hot", "int"])
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_a_shuffled_list_of_every_row_view_is_read_in_place_for_any_order(dtype, y_form):
    """to_arrays(any_order=True): the loader's list after SGD shuffled it is its arrays
    as they are (no gathering) with the row of each pair; a part of it, or a list
    holding a row twice, is gathered (rows None); example i is row rows[i] either way."""
    pairs = loader_pairs()
    if y_form == "int":
        pairs = [(x, int(np.argmax(y))) for x, y in pairs]
    random.Random(2).shuffle(pairs)
    expected = reference(pairs, 12, 3, dtype)
    X, y, rows = to_arrays(pairs, 12, 3, dtype, "data", any_order=True)
    assert rows is not None and sorted(rows.tolist()) == list(range(300))
    assert np.shares_memory(X, pairs[0][0]) == (dtype == np.float32)
    assert_same((X[rows], y[rows]), expected)
    for part in (pairs[:299], pairs[:150] + pairs[:150], pairs[:299] + pairs[:1]):
        X, y, rows = to_arrays(part, 12, 3, dtype, "data", any_order=True)
        assert rows is None
        assert_same((X, y), reference(part, 12, 3, dtype))
    pairs[7][0][3, 0] = np.inf  # named by its place in the list
    with pytest.raises(ValueError, match="data input 7 contains NaN or infinity"):
        to_arrays(pairs, 12, 3, dtype, "data", any_order=True)
    X, y, rows = to_arrays(pairs, 12, 3, dtype, "data", finite=False, any_order=True)
    with pytest.raises(ValueError, match="data input 7 contains NaN or infinity"):
        validate.check_finite(X, "data", rows)


@pytest.mark.parametrize("options", [{}, {"dropout": 0.3}], ids=["plain", "dropout"])
def test_training_on_the_shuffled_list_reads_it_in_place_and_trains_as_on_its_copy(sparse_builds, options):
    """SGD on the loader's list again (now shuffled by the first call) trains exactly as
    on a script-built copy of the list, leaves both lists in the same order, and builds
    no second sparse form for the loader's list (with dropout, whose masks follow each
    example's place in the data, the list is gathered and the form built again)."""
    built = sparse_builds
    views = loader_pairs()
    copied = [(x.copy(), y.copy()) for x, y in views]
    params, orders = [], []
    for pairs in (views, copied):
        place = {id(x): i for i, (x, _) in enumerate(pairs)}
        np.random.seed(3)
        random.seed(3)
        net = Network([12, 6, 3])
        before = len(built)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            net.SGD(pairs, 1, 10, 2.0, **options)
            net.SGD(pairs, 2, 10, 2.0, **options)
        params.append(np.concatenate([p.ravel() for p in net.weights + net.biases]))
        orders.append([place[id(x)] for x, _ in pairs])
        if pairs is views:
            assert len(built) - before == (2 if options else 1)
    assert params[0].tobytes() == params[1].tobytes()
    assert orders[0] == orders[1] and orders[0] != list(range(300))


def test_writes_into_row_views_are_seen():
    pairs = loader_pairs()
    before = to_arrays(pairs, 12, 3, np.float32, "data")[0].copy()
    pairs[3][0][5, 0] = 7.0
    pairs[4][1][:] = [[0.0], [0.0], [1.0]]
    X, y = to_arrays(pairs, 12, 3, np.float32, "data")
    assert X[3, 5] == 7.0 and y[4].tolist() == [0, 0, 1]
    assert np.array_equal(np.delete(X, 3, 0), np.delete(before, 3, 0))
    pairs.reverse()
    pairs[0][0][:] = np.nan
    with pytest.raises(ValueError, match="data input 0 contains NaN"):
        to_arrays(pairs, 12, 3, np.float32, "data")


def test_a_row_view_reshaped_or_restrided_in_place_is_read_as_it_now_is():
    pairs = loader_pairs()
    pairs[7][0].shape = (1, 12)
    with pytest.raises(ValueError, match=r"data\[7\] input must have shape \(12, 1\), got \(1, 12\)"):
        to_arrays(pairs, 12, 3, np.float32, "data")
    pairs[7][0].shape = (12,)
    assert_same(to_arrays(pairs, 12, 3, np.float32, "data"), reference(pairs, 12, 3, np.float32))
    pairs[7][0].shape = (12, 1)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)  # setting strides is deprecated
        pairs[9][0].strides = (8, 4)  # every other number of rows 9 and 10
    assert pairs_module._rows_shown(pairs, 0) is None
    X, y = to_arrays(pairs, 12, 3, np.float32, "data")
    assert_same((X, y), reference(pairs, 12, 3, np.float32))
    assert X[9].tolist() == pairs[9][0].ravel().tolist() != pairs[8][0].base[9].tolist()


def test_lists_of_several_arrays_or_other_arrays_are_copied():
    pairs, more = loader_pairs(), loader_pairs(seed=1)
    both = pairs + more
    assert pairs_module._rows_shown(both, 0) is None
    assert_same(to_arrays(both, 12, 3, np.float32, "data"), reference(both, 12, 3, np.float32))
    pairs[5] = (pairs[5][0].copy(), pairs[5][1])
    assert pairs_module._rows_shown(pairs, 0) is None
    assert_same(to_arrays(pairs, 12, 3, np.float32, "data"), reference(pairs, 12, 3, np.float32))


def test_a_view_is_read_as_a_row_by_where_its_numbers_are_not_by_its_identity():
    """Views that died may leave their ids to new arrays: those are not rows."""
    rows = np.arange(200.0).reshape(50, 4)
    views = pairs_module.row_views(rows, (4, 1))
    lent_ids = {id(view) for view in views}
    survivors, newcomers = views[:10], []
    for i in range(10, 50):
        views[i] = None  # view i dies; its memory may go to the next new view
        newcomers.append(rows[i].reshape(4, 1).copy() + 1000)
    assert any(id(view) in lent_ids for view in newcomers)  # the case at hand
    assert pairs_module._rows_shown(list(zip(newcomers, range(40))), 0) is None
    source, shown = pairs_module._rows_shown(list(zip(survivors[::-1], range(10))), 0)
    assert np.array_equal(source[shown], rows[9::-1])
    pairs = list(zip(survivors + newcomers, range(50)))
    assert_same(to_arrays(pairs, 4, 50, np.float64, "data"), reference(pairs, 4, 50, np.float64))


def test_the_loaders_lists_are_read_from_their_arrays(monkeypatch):
    rng = np.random.default_rng(3)
    sets = [(rng.random((n, 12)).astype(np.float32), rng.integers(0, 10, n)) for n in (40, 10, 20)]
    monkeypatch.setattr(mnist_loader, "load_data", lambda path=None: sets)
    training, validation, test = mnist_loader.load_data_wrapper()
    for pairs in (training, validation, test):
        assert pairs_module._rows_shown(pairs, 0) is not None
    X, y = to_arrays(training, 12, 10, np.float32, "training_data")
    assert np.shares_memory(X, training[0][0]) and np.array_equal(X, sets[0][0])
    assert np.array_equal(y.argmax(axis=1), sets[0][1])
    assert pairs_module._rows_shown(training, 1) is not None
    X, y = to_arrays(test, 12, 10, np.float32, "test_data", 10)
    assert np.array_equal(X, sets[2][0]) and np.array_equal(y, sets[2][1])


def test_rows_of_a_larger_array_are_read_without_a_copy():
    """As load_data's training and validation inputs: two slices of one array."""
    whole = np.random.default_rng(4).random((60, 12)).astype(np.float32)
    training = list(zip(pairs_module.row_views(whole[:50], (12, 1)), range(50)))
    validation = list(zip(pairs_module.row_views(whole[50:], (12, 1)), range(10)))
    for pairs, rows in ((training, whole[:50]), (validation, whole[50:]),
                        (validation + training, np.vstack([whole[50:], whole[:50]]))):
        X, _ = to_arrays(pairs, 12, 50, np.float32, "data")
        assert np.array_equal(X, rows)
    assert np.shares_memory(to_arrays(validation, 12, 50, np.float32, "data")[0], whole)
    X, _, rows = to_arrays(validation + training, 12, 50, np.float32, "data", any_order=True)
    assert np.shares_memory(X, whole) and np.array_equal(X[rows[:10]], whole[50:])
    assert pairs_module.row_views(whole[:0], (12, 1)) == []
    strided = list(zip(pairs_module.row_views(whole[:, ::2], (6, 1)), range(60)))  # copied
    assert not np.shares_memory(strided[0][0], whole)
    assert np.array_equal(to_arrays(strided, 6, 60, np.float32, "data")[0], whole[:, ::2])


def test_any_views_of_one_arrays_rows_are_read_in_place():
    """Not only the loader's: a script's own views of its rows, pairs as lists, 1-d x's."""
    X = np.random.default_rng(5).random((30, 12)).astype(np.float32)
    labels = list(range(30))
    for xs in (list(X[:, :, None]), list(X), list(X.reshape(30, 12, 1))):
        for pairs in (list(zip(xs, labels)), [[x, label] for x, label in zip(xs, labels)]):
            source, rows = pairs_module._rows_shown(pairs, 0)
            assert np.shares_memory(source, X) and rows.tolist() == labels
            got = to_arrays(pairs, 12, 30, np.float32, "data", 30)
            assert np.shares_memory(got[0], X)
            assert_same(got, reference(pairs, 12, 30, np.float32, 30))


@pytest.mark.parametrize("odd", ["between two rows", "another dtype", "a subclass", "0-d",
                                 "(1, 12)", "an int", "a list", "outside the array"])
def test_an_item_that_is_not_a_rows_view_sends_the_list_the_slow_way(odd):
    """Each of these in the middle of a list of row views: the list is not read from the
    array (no pair is misread), and converts as stacking gives, or is refused by name."""
    whole = np.random.default_rng(6).random((41, 12)).astype(np.float32)
    pairs = list(zip(pairs_module.row_views(whole[:40], (12, 1)), range(40)))
    bad = {"between two rows": whole.reshape(-1)[6:18].reshape(12, 1),
           "another dtype": whole[3].view(np.int32).reshape(12, 1),
           "a subclass": whole[3].reshape(12, 1).view(Subclass),
           "0-d": whole[3, 0, ...],  # a 0-d view of the same array
           "(1, 12)": whole[3].reshape(1, 12),
           "an int": 3,
           "a list": list(whole[3]),
           "outside the array": np.random.default_rng(7).random((12, 1)).astype(np.float32)}[odd]
    pairs[20] = (bad, 20)
    assert pairs_module._rows_shown(pairs, 0) is None
    if odd in ("0-d", "(1, 12)", "an int"):
        with pytest.raises((TypeError, ValueError), match=r"data\[20\]"):
            to_arrays(pairs, 12, 40, np.float32, "data", 40)
    else:
        assert_same(to_arrays(pairs, 12, 40, np.float32, "data", 40),
                    reference(pairs, 12, 40, np.float32, 40))


def test_the_objects_are_read_where_this_interpreter_lays_them_out(monkeypatch):
    """The compiled pass is what converts row views here (CPython, 64-bit, with the
    GIL); without it the same arrays come the slow way."""
    assert pairs_module._layout_holds()
    pairs = loader_pairs()
    random.Random(8).shuffle(pairs)
    fast = to_arrays(pairs, 12, 3, np.float32, "data", any_order=True)
    monkeypatch.setattr(pairs_module, "_layout_holds", lambda: False)
    assert pairs_module._rows_shown(pairs, 0) is None
    slow = to_arrays(pairs, 12, 3, np.float32, "data", any_order=True)
    assert fast[2] is not None and slow[2] is None
    assert_same(slow[:2], (fast[0][fast[2]], fast[1][fast[2]]))


@pytest.mark.parametrize("y_form", ["one-hot", "int"])
def test_evaluate_counts_a_shuffled_list_in_place_and_names_a_bad_pair(monkeypatch, y_form):
    """The count on the loader's list after SGD shuffled it equals the count on a copy,
    without gathering the rows; a NaN is named by the pair's place in the list."""
    pairs = loader_pairs()
    if y_form == "int":
        pairs = [(x, int(np.argmax(y))) for x, y in pairs]
    random.Random(9).shuffle(pairs)
    copied = [(x.copy(), y) for x, y in pairs]
    np.random.seed(5)
    net = Network([12, 6, 3])
    net.SGD((np.vstack([x.T for x, _ in pairs]), np.array([int(np.argmax(y)) if y_form != "int" else y
                                                           for _, y in pairs])), 3, 10, 3.0)
    expected = net.evaluate(copied)
    assert 0 < expected < len(pairs)
    gathered = []
    monkeypatch.setattr(pairs_module, "_gathered", lambda *a: gathered.append(a) or a[0][a[1]])
    assert net.evaluate(pairs) == expected
    assert not any(source.shape[1] == 12 for source, _ in gathered)  # the x's were not gathered
    pairs[40][0][2, 0] = np.nan
    with pytest.raises(ValueError, match="test_data input 40 contains NaN"):
        net.evaluate(pairs)
