"""The real ``fastnet`` command, run in subprocesses as a user would."""
import json
import os
import signal
import subprocess
import sys
import time

import numpy as np
import pytest
from PIL import Image
from slices import write_mnist_slice
from terminal import ctrl_c_enabled, run_on_a_terminal

from fastnet.io.idx import IDX_FILES, read_idx
from fastnet.io.persist import load


def fastnet(*args, env=None, timeout=300):
    """Run ``python -m fastnet ARGS``; returns the CompletedProcess (text)."""
    return subprocess.run([sys.executable, "-m", "fastnet", *map(str, args)], capture_output=True,
                          text=True, timeout=timeout, env=env)


@pytest.fixture(scope="module")
def mnist_slice(mnist_dir, tmp_path_factory):
    """The first 12,000 training and 2,000 test images of MNIST, in MNIST's own format."""
    return write_mnist_slice(mnist_dir, tmp_path_factory.mktemp("slice"), 12000, 2000)


@pytest.fixture(scope="module")
def trained(mnist_slice, tmp_path_factory):
    """`fastnet train` for 1 epoch on the slice, with --save and --plot."""
    folder = tmp_path_factory.mktemp("run")
    run = fastnet("train", "--epochs", 1, "--seed", 3, "--data", mnist_slice,
                  "--save", folder / "model.npz", "--plot", folder / "curve.png")
    return run, folder


def test_train_prints_accuracy_time_and_speed_and_writes_model_and_curve(trained):
    run, folder = trained
    assert run.returncode == 0, run.stderr
    assert "Traceback" not in run.stderr
    line, = run.stdout.splitlines()
    head, rest = line.split(": ", 1)
    assert head == "Epoch 0"
    correct, total = rest.split(" (")[0].split(" / ")
    assert total == "2000" and int(correct) > 1500
    assert line.endswith("examples/s") and " s  " in line
    with Image.open(folder / "curve.png") as image:
        assert image.format == "PNG" and image.size[0] > 100
    net = load(folder / "model.npz")
    assert net.sizes == [784, 30, 10] and len(net.history) == 1
    assert net.history[0]["correct"] == int(correct)


def test_evaluate_and_info(trained, mnist_slice):
    run, folder = trained
    correct = run.stdout.split(": ")[1].split(" / ")[0]
    evaluation = fastnet("evaluate", folder / "model.npz", "--data", mnist_slice,
                         "--plot", folder / "confusion.png")
    assert evaluation.returncode == 0, evaluation.stderr
    lines = evaluation.stdout.splitlines()
    assert lines[0].startswith(f"Test accuracy: {correct} / 2000")
    rows = [list(map(int, line.split())) for line in lines[3:13]]
    assert [row[0] for row in rows] == list(range(10))
    matrix = np.array([row[1:] for row in rows])
    assert matrix.shape == (10, 10) and matrix.sum() == 2000 and np.trace(matrix) == int(correct)
    assert (folder / "confusion.png").stat().st_size > 1000
    info = fastnet("info", folder / "model.npz")
    assert info.returncode == 0, info.stderr
    assert "sizes: [784, 30, 10]" in info.stdout and "dtype: float32" in info.stdout
    assert "trained: 1 epochs (mini-batch 10, eta 3.0, 10,000 examples)" in info.stdout
    assert f"last {correct} / 2000" in info.stdout and "seed: 3" in info.stdout


def test_predict_reads_digits_from_png_files(mnist_dir, tmp_path):
    """A model trained 3 epochs on MNIST gets at least 9 of 10 test digits written as
    PNG files (upscaled, some dark on light) right."""
    model = tmp_path / "model3.npz"
    run = fastnet("train", "--epochs", 3, "--seed", 1, "--quiet", "--data", mnist_dir, "--save", model)
    assert run.returncode == 0, run.stderr
    images = read_idx(mnist_dir / "t10k-images-idx3-ubyte.gz")[:10]
    labels = read_idx(mnist_dir / "t10k-labels-idx1-ubyte.gz")[:10]
    paths = []
    for i, image in enumerate(images):
        picture = Image.fromarray(image if i % 2 else 255 - image).resize((84, 84), Image.BILINEAR)
        paths.append(tmp_path / f"digit{i}.png")
        picture.save(paths[-1])
    result = fastnet("predict", model, *paths)
    assert result.returncode == 0, result.stderr
    predicted = [int(line.split(": ")[1].split()[0]) for line in result.stdout.splitlines()
                 if line.startswith(str(tmp_path))]
    assert len(predicted) == 10
    assert sum(p == t for p, t in zip(predicted, labels)) >= 9, (predicted, labels.tolist())


@pytest.mark.parametrize("content, message", [
    (b"", "corrupt|truncated|not a fastnet model"),
    (b"PK\x03\x04 this is not really a zip", "corrupt|truncated"),
    (b"\x80\x04\x95 a pickle", "corrupt|not a fastnet model|format"),
])
def test_bad_model_files_give_one_clear_line(tmp_path, content, message):
    model = tmp_path / "broken.npz"
    model.write_bytes(content)
    for command in ("evaluate", "info"):
        run = fastnet(command, model)
        assert run.returncode == 2
        assert "Traceback" not in run.stderr
        assert run.stderr.startswith(f"fastnet {command}: error:")


def test_truncated_model_is_refused(trained, tmp_path):
    _, folder = trained
    data = (folder / "model.npz").read_bytes()
    (tmp_path / "cut.npz").write_bytes(data[: len(data) // 2])
    run = fastnet("info", tmp_path / "cut.npz")
    assert run.returncode == 2 and "Traceback" not in run.stderr


def test_bad_arguments_and_missing_data(tmp_path):
    run = fastnet("train", "--data", tmp_path / "nowhere", "--epochs", 1)
    assert run.returncode == 2 and "MNIST data not found" in run.stderr
    run = fastnet("train", "--sizes", "784,x,10")
    assert run.returncode == 2 and "comma-separated integers" in run.stderr


def test_sizes_must_fit_the_data(mnist_slice):
    run = fastnet("train", "--data", mnist_slice, "--sizes", "100,30,10", "--epochs", 1)
    assert run.returncode == 2 and "does not fit the data: 784 inputs and 10 classes" in run.stderr


def test_ctrl_c_stops_cleanly_and_saves_the_model(mnist_slice, tmp_path):
    model = tmp_path / "interrupted.npz"
    process = subprocess.Popen(
        [sys.executable, "-m", "fastnet", "train", "--epochs", "100000", "--data", str(mnist_slice),
         "--save", str(model)], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        preexec_fn=ctrl_c_enabled)
    first = process.stdout.readline()  # training has started: epoch 0 is done
    assert first.startswith("Epoch 0:")
    sent = time.perf_counter()
    process.send_signal(signal.SIGINT)
    out, err = process.communicate(timeout=60)
    stopped = time.perf_counter() - sent
    assert process.returncode == 130, err
    assert "Traceback" not in err
    assert "Interrupted during epoch" in err and "Saved the model as it is" in err
    assert stopped < 5  # a chunk of mini-batches is ~50 ms; the rest is saving and exit
    net = load(model)
    assert net.sizes == [784, 30, 10] and len(net.history) >= 1
    assert all(np.isfinite(w).all() for w in net.weights)


def test_python_dash_m_and_version():
    run = fastnet("--version")
    assert run.returncode == 0 and run.stdout.startswith("fastnet ")


def test_train_on_a_fresh_machine_downloads_mnist_then_trains(mnist_dir, tmp_path):
    """No --data, no $FASTNET_DATA, an empty cache: `fastnet train` downloads the four
    files (from a mirror served on 127.0.0.1 here), verifies them, and trains."""
    import functools
    import http.server
    import threading
    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(mnist_dir))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        env = {k: v for k, v in os.environ.items() if k != "FASTNET_DATA"}
        env.update(XDG_CACHE_HOME=str(tmp_path / "cache"),
                   FASTNET_MNIST_MIRRORS=f"http://127.0.0.1:{server.server_port}/")
        run = fastnet("train", "--epochs", 1, "--seed", 2, env=env)
    finally:
        server.shutdown()
        server.server_close()
    assert run.returncode == 0, run.stderr
    assert "downloading it into" in run.stderr
    assert sorted(p.name for p in (tmp_path / "cache" / "fastnet" / "mnist").iterdir()) == sorted(
        f"{name}.gz" for name in IDX_FILES.values())
    assert run.stdout.startswith("Epoch 0: ") and " / 10000 " in run.stdout


def test_plots_without_matplotlib_say_how_to_get_it(monkeypatch, tmp_path):
    from fastnet.io import plots
    monkeypatch.setitem(sys.modules, "matplotlib", None)  # import matplotlib -> ImportError
    with pytest.raises(RuntimeError, match=r"pip install 'fastnet\[plot\]'"):
        plots.learning_curve([90.0], [0.1], tmp_path / "c.png")


def test_progress_bar_on_a_terminal_and_plain_lines_otherwise(mnist_slice, trained):
    """Under a pseudo-terminal (80 columns) tqdm draws a bar during the epoch; piped
    output (the other tests) has none."""
    assert "%|" not in trained[0].stderr
    text = run_on_a_terminal(["train", "--epochs", "2", "--sizes", "784,100,10",
                              "--data", str(mnist_slice)])
    assert "%|" in text and "ex/s" in text  # tqdm's bar and rate
    assert text.count("Epoch ") == 2


def test_a_first_run_on_a_terminal_says_it_compiles(mnist_slice, tmp_path):
    """Under a pseudo-terminal, with an empty Numba cache: the line comes once, before
    the first epoch, and the epochs' times leave the compiling out."""
    env = dict(os.environ, NUMBA_CACHE_DIR=str(tmp_path / "cache"))
    text = run_on_a_terminal(["train", "--epochs", "1", "--data", str(mnist_slice)], env, 300)
    assert text.count("Compiled the training kernels for this machine in ") == 1
    assert text.index("Compiled the training kernels") < text.index("Epoch 0")
    seconds = float(text.split("Epoch 0: ")[1].split(" s ")[0].split()[-1])
    assert seconds < 5


def test_ctrl_c_during_a_parallel_sweep_reports_the_finished_runs(mnist_slice):
    """`fastnet experiment hidden --jobs 2`: two spawned single-threaded workers; after the
    first runs finish, SIGINT stops the sweep and the table shows the finished runs."""
    process = subprocess.Popen(
        [sys.executable, "-m", "fastnet", "experiment", "hidden", "--hidden", "0,5,10,15,20,25,30",
         "--seeds", "2", "--epochs", "20", "--jobs", "2", "--data", str(mnist_slice),
         "--limit-train", "3000", "--limit-test", "500"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, preexec_fn=ctrl_c_enabled)
    progress = []
    while len(progress) < 2:  # two runs finished
        line = process.stderr.readline()
        assert line, "the sweep ended before two runs finished"
        if "finished" in line:
            progress.append(line)
    assert progress[0].startswith("run 1/14 finished")
    process.send_signal(signal.SIGINT)
    out, err = process.communicate(timeout=60)
    assert process.returncode == 130, err
    assert "Traceback" not in err
    assert "Interrupted" in out and "| hidden n |" in out
    rows = [line for line in out.splitlines() if line.startswith("| ") and line[2].isdigit()]
    assert 1 <= len(rows) < 7  # the finished configurations only


def test_read_prints_the_number_and_draws_the_boxes(trained, mnist_dir, tmp_path):
    from fastnet.mnist_loader import load_data
    from fastnet.vision.digit_strings import make_string
    _, _, (images, labels) = load_data(mnist_dir)
    canvas, text, boxes = make_string(images[:200], labels[:200], np.random.default_rng(4), length=5,
                                      gap=(4, 10), invert=True)
    picture = tmp_path / "number.png"
    Image.fromarray((canvas * 255).astype(np.uint8)).save(picture)
    run = fastnet("read", trained[1] / "model.npz", picture, "--show", tmp_path / "boxes.png")
    assert run.returncode == 0, run.stderr
    first, *digit_lines = run.stdout.splitlines()
    read = first.split(": ")[1]
    assert first.startswith(f"{picture}: ") and len(read) == 5 and read.isdigit()
    assert sum(a == b for a, b in zip(read, text)) >= 3  # a 1-epoch model on a 12,000-image slice
    assert len(digit_lines) == 5 and all("confidence" in line for line in digit_lines)
    with Image.open(tmp_path / "boxes.png") as drawn:
        assert drawn.size[0] >= canvas.shape[1]


def test_train_with_the_modern_options_and_schedule(mnist_slice, tmp_path):
    model = tmp_path / "modern.npz"
    run = fastnet("train", "--data", mnist_slice, "--epochs", 3, "--seed", 1, "--sizes", "784,40,10",
                  "--activation", "relu", "--cost", "log-likelihood", "--init", "he", "--eta", 0.1,
                  "--lmbda", 1, "--momentum", 0.5, "--dropout", 0.1, "--halve-eta", 1,
                  "--early-stopping", 2, "--threads", 1, "--save", model)
    assert run.returncode == 0, run.stderr
    lines = [line for line in run.stdout.splitlines() if line.startswith("Epoch")]
    assert 1 <= len(lines) <= 3 and all("validation" in line and "eta" in line for line in lines)
    accuracy = float(lines[-1].split("(")[1].split("%")[0])
    assert accuracy > 85  # 10,000 training images, a few epochs
    from fastnet import load
    net = load(model)
    assert (net.activation, net.output, net.cost_name) == ("relu", "softmax", "log-likelihood")
    assert net.metadata["options"]["momentum"] == 0.5 and net.history[-1]["threads"] == 1


def test_bad_model_options_give_one_clear_line(mnist_slice):
    run = fastnet("train", "--data", mnist_slice, "--epochs", 1, "--cost", "cross-entropy",
                  "--output", "tanh")
    assert run.returncode == 2 and "needs sigmoid outputs" in run.stderr
    assert len(run.stderr.strip().splitlines()) == 1
    run = fastnet("train", "--data", mnist_slice, "--epochs", 1, "--momentum", 1.5)
    assert run.returncode == 2 and "momentum" in run.stderr


def test_bench_and_expand_commands_are_there():
    for command in ("bench", "expand"):
        run = fastnet(command, "--help")
        assert run.returncode == 0 and command in run.stdout


def test_numbers_are_checked_where_parsed_and_name_the_option():
    for args, option in ((("--epochs", -1), "--epochs"), (("--batch", 0), "--batch"),
                         (("--eta", "nan"), "--eta"), (("--threads", 10_000), "--threads"),
                         (("--lmbda", -1), "--lmbda"), (("--sizes", "784,0,10"), "--sizes"),
                         (("--momentum", 2), "--momentum"), (("--dropout", "nan"), "--dropout")):
        run = fastnet("train", *args)
        assert run.returncode == 2 and f"argument {option}: expected " in run.stderr, run.stderr


def test_the_docstring_lists_every_command():
    import argparse

    import fastnet.cli as cli
    commands = next(action for action in cli.build_parser()._actions
                    if isinstance(action, argparse._SubParsersAction)).choices
    first_line = cli.__doc__.splitlines()[0]
    for command in commands:
        assert command in first_line and f"    fastnet {command} " in cli.__doc__


def one_line_error(run, command="train"):
    """The run failed with status 2 and one line on stderr (argparse's usage aside)."""
    lines = [line for line in run.stderr.splitlines() if not line.startswith(("usage:", " "))]
    assert run.returncode == 2 and "Traceback" not in run.stderr, run.stderr
    assert len(lines) == 1 and lines[0].startswith(f"fastnet {command}: error: "), run.stderr
    return lines[0]


def test_outputs_must_code_the_classes_with_none_spare(mnist_slice, tmp_path):
    """One-hot outputs: one per class, no fewer, no more; binary: the fewest bits."""
    for sizes, extra in (("784,30", []), ("784,30,5", []), ("784,30,11", []),
                         ("784,30,5", ["--output-encoding", "binary"]),
                         ("784,30,3", ["--output-encoding", "binary"])):
        line = one_line_error(fastnet("train", "--data", mnist_slice, "--sizes", sizes, *extra))
        assert f"--sizes {sizes} does not fit the data: 784 inputs and 10 classes need 784,...," in line
    line = one_line_error(fastnet("train", "--data", mnist_slice, "--output-encoding", "threshold"))
    assert "--output-encoding threshold cannot code the data's 10 classes" in line
    model = tmp_path / "binary.npz"
    run = fastnet("train", "--data", mnist_slice, "--sizes", "784,30,4", "--output-encoding", "binary",
                  "--epochs", 1, "--seed", 1, "--save", model)
    assert run.returncode == 0, run.stderr
    net = load(model)
    assert net.sizes == [784, 30, 4] and net.encoding.name == "binary"
    evaluation = fastnet("evaluate", model, "--data", mnist_slice)
    assert evaluation.returncode == 0, evaluation.stderr
    assert evaluation.stdout.startswith("Test accuracy: ")


def test_epochs_0_is_refused_and_writes_nothing(mnist_slice, tmp_path):
    run = fastnet("train", "--data", mnist_slice, "--epochs", 0, "--save", tmp_path / "m.npz")
    assert "argument --epochs: expected a positive integer, got '0'" in one_line_error(run)
    assert not (tmp_path / "m.npz").exists()


@pytest.mark.parametrize("command, option, name, message", [
    ("train", "--save", "missing/m.npz", "the folder '{tmp}/missing' does not exist"),
    ("train", "--save", "", "'{tmp}/' is a folder"),
    ("train", "--save", "m.pkl", "cannot tell the model's format from the suffix of '{tmp}/m.pkl': "
                                 "use '.npz', '.json'"),
    ("train", "--save", "file.npz/m.npz", "'{tmp}/file.npz' is not a folder"),
    ("train", "--plot", "missing/c.png", "the folder '{tmp}/missing' does not exist"),
    ("train", "--plot", "c.docx", "cannot tell the figure's format"),
    ("evaluate", "--plot", "missing/c.png", "the folder '{tmp}/missing' does not exist"),
    ("read", "--show", "missing/b.png", "the folder '{tmp}/missing' does not exist"),
    ("read", "--show", "b.jpg", "cannot tell a PNG picture from the suffix"),
    ("experiment", "--plot", "missing/e.png", "the folder '{tmp}/missing' does not exist"),
])
def test_destinations_are_checked_before_any_work(tmp_path, command, option, name, message):
    """A file that cannot be written is refused when the arguments are parsed: before
    the data is looked for (--data names no data here) and before any training."""
    (tmp_path / "file.npz").write_bytes(b"")
    head = {"train": ["train", "--epochs", 1], "evaluate": ["evaluate", tmp_path / "file.npz"],
            "read": ["read", tmp_path / "file.npz", tmp_path / "file.npz"],
            "experiment": ["experiment", "hidden"]}[command]
    run = fastnet(*head, "--data", tmp_path / "nowhere", option, f"{tmp_path}/{name}")
    line = one_line_error(run, command)
    assert f"argument {option}: " in line and message.format(tmp=tmp_path) in line, line


def test_a_failing_save_names_the_option_and_the_path(mnist_slice, tmp_path, monkeypatch, capsys):
    """The destination was fine when checked and fails when written (a full disk, a
    folder removed): the error names --save and the user's path, no temporary file."""
    from fastnet import cli
    from fastnet.core.model import Network

    def fail(self, path, metadata=None):
        temporary = os.path.join(os.path.dirname(path), ".m.npz.x1y2.tmp")
        raise OSError(28, "No space left on device", temporary)
    monkeypatch.setattr(Network, "save", fail)
    status = cli.main(["train", "--data", str(mnist_slice), "--sizes", "784,10", "--epochs", "1",
                       "--quiet", "--save", str(tmp_path / "m.npz")])
    error = capsys.readouterr().err
    assert status == 2
    assert f"--save {tmp_path / 'm.npz'}: the model could not be written (No space left on device)" in error
    assert ".tmp" not in error


def json_model(tmp_path, history):
    from fastnet.network import Network
    path = Network([4, 3, 2]).save(tmp_path / "m.json")
    data = json.loads(path.read_text())
    data["metadata"]["history"] = history
    path.write_text(json.dumps(data))
    return path


@pytest.mark.parametrize("history, shown", [
    ([{}], "trained: 1 epochs\n"),
    ([{"correct": 0, "n_test": 0, "seconds": 1.5}], "trained: 1 epochs, 1.5 s\ntest accuracy: last 0, best 0"),
    ([{"correct": 7, "n_test": 10, "eta": "fast", "seconds": None, "mini_batch_size": 5}],
     "trained: 1 epochs (mini-batch 5)\ntest accuracy: last 7 / 10 (70.00%), best 7 (epoch 0)"),
    ([{"seconds": 1.5, "compile_seconds": 23.4}, {"seconds": 1.0}],
     "trained: 2 epochs, 2.5 s; compiling 23.4 s\n"),
])
def test_info_prints_what_the_history_holds(tmp_path, history, shown):
    run = fastnet("info", json_model(tmp_path, history))
    assert run.returncode == 0 and "Traceback" not in run.stderr, run.stderr
    assert shown in run.stdout


def test_evaluate_refuses_a_model_that_does_not_fit_the_data(mnist_slice, tmp_path):
    from fastnet.network import Network
    Network([784, 5, 2]).save(tmp_path / "two.npz")
    line = one_line_error(fastnet("evaluate", tmp_path / "two.npz", "--data", mnist_slice), "evaluate")
    assert (f"the outputs of {tmp_path / 'two.npz'} do not fit the data's classes: 2 one-hot "
            f"outputs code 2 classes; --data {mnist_slice} has 10") in line
    Network([100, 5, 10]).save(tmp_path / "small.npz")
    line = one_line_error(fastnet("evaluate", tmp_path / "small.npz", "--data", mnist_slice), "evaluate")
    assert f"{tmp_path / 'small.npz'} takes 100 inputs; --data {mnist_slice} has 784 per example" in line


def test_predict_names_the_file_and_doubts_the_polarity_given(tmp_path):
    from fastnet.network import Network
    Network([784, 5, 10]).save(tmp_path / "m.npz")
    picture = np.zeros((28, 28), np.uint8)
    picture[6:22, 12:16] = 255  # a light "1" on a dark background
    Image.fromarray(picture).save(tmp_path / "light.png")
    Image.fromarray(255 - picture).save(tmp_path / "dark.png")
    run = fastnet("predict", tmp_path / "m.npz", tmp_path / "dark.png", tmp_path / "light.png",
                  "--dark-on-light")
    line = one_line_error(run, "predict")
    assert f"{tmp_path / 'light.png'}: no digit found" in line
    assert "is --dark-on-light right for this picture? Without it the polarity is detected" in line
    assert run.stdout.startswith(f"{tmp_path / 'dark.png'}: ")
    assert fastnet("predict", tmp_path / "m.npz", tmp_path / "light.png").returncode == 0


def test_experiment_jobs_are_capped_at_the_cpus(mnist_slice):
    from fastnet.sweeps.engine import usable_cpus
    cpus = usable_cpus()
    run = fastnet("experiment", "hidden", "--hidden", "0", "--seeds", 1, "--epochs", 1, "--jobs", 1000,
                  "--data", mnist_slice, "--limit-train", 500, "--limit-test", 100)
    assert run.returncode == 0, run.stderr
    assert (f"--jobs 1000: this machine has {cpus} usable CPU{'' if cpus == 1 else 's'}; "
            f"running {cpus} processes at a time") in run.stderr


def test_an_eta_the_dtype_cannot_carry_names_the_option_before_loading(tmp_path):
    """1e300 is infinity in float32: refused naming --eta, before the data are read
    (the folder given does not even exist), and accepted in float64."""
    missing = tmp_path / "no-data-here"
    line = one_line_error(fastnet("train", "--data", missing, "--eta", "1e300"))
    assert "--eta must be finite in float32" in line and "1e+300" in line
    run = fastnet("train", "--data", missing, "--eta", "1e300", "--dtype", "float64")
    assert run.returncode == 2 and "data not found" in run.stderr and "--eta" not in run.stderr
