"""The encoding, detector and reduction experiments, and the pieces they are built of."""
import numpy as np
import pytest

from fastnet import Network
from fastnet.experiments import detector, encoding, reduction
from fastnet.experiments.common import load_dataset


@pytest.fixture(scope="module")
def small(mnist_dir):
    return load_dataset(mnist_dir, 2000, 400)


def test_detector_metrics_on_a_hand_made_case():
    predicted = np.array([1, 1, 1, 0, 0, 0, 0, 0, 1, 0])
    actual = np.array([1, 1, 0, 1, 0, 0, 0, 0, 0, 0])
    metrics = detector.detector_metrics(predicted, actual)
    assert metrics["accuracy"] == pytest.approx(70.0)   # 7 of 10 answers right
    assert metrics["precision"] == pytest.approx(50.0)  # 2 of the 4 "yes" are 3s
    assert metrics["recall"] == pytest.approx(200 / 3)  # 2 of the 3 real 3s found
    assert detector.detector_metrics(np.zeros(4), np.zeros(4))["precision"] == 0.0  # no "yes" at all


def test_resizing_keeps_constants_and_mass():
    R = detector.resize_matrix(28, 64)
    np.testing.assert_allclose(R.sum(axis=1), 1.0)
    X = np.full((2, 784), 0.5, dtype=np.float32)
    np.testing.assert_allclose(detector.resize_images(X, 64), 0.5, rtol=1e-6)
    digit = np.zeros((1, 784), np.float32)
    digit[0, 14 * 28 + 14] = 1.0
    big = detector.resize_images(digit, 64).reshape(64, 64)
    assert big.sum() == pytest.approx((64 / 28) ** 2, rel=0.05)  # same ink per area
    assert np.unravel_index(big.argmax(), big.shape) in {(32, 32), (32, 33), (33, 32), (33, 33)}


def test_bits_layer_turns_one_hot_outputs_into_the_binary_code():
    # a net whose last layer output is (nearly) the one-hot code of the input's class
    net = Network.from_parameters([10, 10], [np.eye(10) * 20], [np.full((10, 1), -10.0)], np.float64)
    extended = encoding.with_bits_layer(net)
    assert extended.sizes == [10, 10, 4] and extended.encoding.name == "binary"
    X = np.eye(10)
    assert extended.predict(X).tolist() == list(range(10))


def test_encoding_experiment_rows(small):
    result = encoding.run(dataset=small, seeds=2, epochs=1)
    assert [row["sizes"] for row in result.rows] == ["[784, 30, 10]", "[784, 30, 4]", "[784, 30, 10, 4]"]
    assert all(0 <= row["final"] <= 100 and row["seeds"] == 2 for row in result.rows)
    assert "| outputs | sizes |" in result.markdown() and "4-bit code" in result.note


def test_reduction_experiment_shows_sum_with_eta_over_m_is_mean(small):
    result = reduction.run(dataset=small, seeds=1, epochs=1)
    mean, summed, big = result.rows
    assert (mean["eta"], summed["eta"], big["eta"]) == (3.0, 0.3, 3.0)
    assert summed["final"] == mean["final"] and summed["difference"] == 0.0  # 2,000 = 200 x 10
    assert "the same run" in result.note


def test_detector_experiment_rows(small):
    result = detector.run(dataset=small, seeds=1, epochs=1, digit=7)
    assert [row["input"] for row in result.rows] == ["28x28 (784 inputs)", "64x64 (4096 inputs)"]
    assert [row["sizes"] for row in result.rows] == ["[784, 30, 1]", "[4096, 30, 1]"]
    for row in result.rows:
        assert 0 <= row["precision"] <= 100 and 0 <= row["recall"] <= 100 and row["accuracy"] >= 80


def test_strings_experiment_rows_and_scoring(small):
    from fastnet.experiments import strings
    from fastnet.vision.reading import NumberReading
    reading = NumberReading("17", [(1, 0.9, (0, 0, 28, 20)), (7, 0.8, (0, 30, 28, 50))])
    assert strings.score(reading, "17", [(0, 0, 28, 20), (0, 30, 28, 50)]) == 2
    assert strings.score(reading, "77", [(0, 0, 28, 20), (0, 30, 28, 50)]) == 1
    assert strings.score(reading, "171", [(0, 0, 28, 20), (0, 30, 28, 50), (0, 60, 28, 80)]) == 2
    result = strings.run(dataset=small, seeds=1, epochs=1, count=40)
    assert [row["subset"] for row in result.rows][-1] == "all strings"
    assert sum(row["strings"] for row in result.rows[:-1]) == 40 == result.rows[-1]["strings"]
    assert all(0 <= row["digit_accuracy"] <= 100 for row in result.rows)


def test_every_figure_is_written_atomically_as_a_png(tmp_path):
    from fastnet.experiments import strings
    from fastnet.experiments.common import Result
    curve = [80.0, 85.0]
    figures = {
        encoding: [dict(network="10 outputs, one-hot", curve=curve)],
        reduction: [dict(reduction=name, eta=3.0, curve=curve) for name in ("mean", "sum", "sum")],
        detector: [dict(input="28x28 (784 inputs)", accuracy=95.0, precision=80.0, recall=70.0)],
        strings: [dict(subset="separate digits", digit_accuracy=90.0, string_accuracy=60.0, single=94.0)],
    }
    for module, rows in figures.items():
        path = tmp_path / f"{module.__name__.rsplit('.', 1)[1]}.png"
        assert module.plot(Result("title (x)", [], rows), path) == path
        assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["detector.png", "encoding.png",
                                                          "reduction.png", "strings.png"]
