"""Fuzz of network2 (every option), MLPClassifier, fastnet.load / network2.load on
damaged model files, the vision functions on odd images and the command line's parser,
each case run in the worker subprocess (``harness``)."""
from hypothesis import given
from hypothesis import strategies as st

from harness import fuzz_settings
from strategies import DTYPES, arrays, clean_data_sets, data_sets, numbers

COSTS = ["CrossEntropyCost", "QuadraticCost", "LogLikelihoodCost", "cross-entropy", "os.system",
         "None", "int", "object"]


@st.composite
def network2_cases(draw):
    sizes = [draw(st.integers(1, 4)), *draw(st.lists(st.integers(1, 4), max_size=1)),
             draw(st.integers(1, 3))]
    n_in, n_out = sizes[0], sizes[-1]
    clean = draw(st.booleans())  # valid data and neurons: the training options fuzzed
    net_options = draw(st.one_of(
        st.just({}), st.fixed_dictionaries({"activation": st.sampled_from(["sigmoid", "tanh", "relu"])}),
        st.dictionaries(st.sampled_from(["activation", "output", "encoding"]),
                        st.sampled_from(["sigmoid", "tanh", "relu", "softmax", "linear", "binary",
                                         "one-hot", "threshold", "None", "bogus"]),
                        max_size=2).filter(lambda _: not clean)))
    monitors = ["monitor_evaluation_cost", "monitor_evaluation_accuracy", "monitor_training_cost",
                "monitor_training_accuracy"]
    sgd = {"lmbda": draw(numbers([0.0, 0.0, 1.0, 5.0]))}
    evaluation = draw(clean_data_sets(n_in, n_out, 5) if clean else
                      st.one_of(st.just({"form": "none"}), data_sets(n_in, n_out, 5)))
    if evaluation["form"] == "none" or not clean:
        monitors = monitors[2:]
    sgd.update(draw(st.dictionaries(st.sampled_from(monitors), st.sampled_from([True, False, 1, "yes"]))))
    sgd.update(draw(st.dictionaries(st.sampled_from(["l1", "momentum", "dropout"]), numbers([0.0, 0.2, 0.5]),
                                    max_size=2)))
    sgd.update(draw(st.dictionaries(st.sampled_from(["early_stopping_n", "halve_eta"]), numbers([0, 1, 2]),
                                    max_size=1)))
    return {"sizes": sizes, "cost": draw(st.sampled_from(COSTS[:2] if clean else COSTS[:3] * 3 + COSTS[3:])),
            "dtype": draw(st.sampled_from(["float32", "float64"])), "net_options": net_options,
            "seed": draw(st.integers(0, 100)),
            "data": draw(clean_data_sets(n_in, n_out, 8) if clean else data_sets(n_in, n_out, 8)),
            "evaluation": evaluation,
            "epochs": draw(numbers([1, 2, 3], huge=False)), "batch": draw(numbers([1, 2, 5])),
            "eta": draw(numbers([0.1, 0.5, 3.0])), "sgd": sgd}


@fuzz_settings(80)
@given(network2_cases())
def test_network2(verdict, case):
    verdict("network2", case)


@st.composite
def sklearn_cases(draw):
    if draw(st.booleans()):
        return draw(clean_sklearn_cases())
    n, features = draw(st.integers(0, 12)), draw(st.integers(0, 4))
    n_y = n + draw(st.sampled_from([0] * 8 + [-1, 1]))
    params = {"epochs": draw(numbers([1, 2], huge=False)), "random_state": draw(st.integers(0, 10))}
    params.update(draw(st.dictionaries(
        st.sampled_from(["hidden_layer_sizes", "learning_rate", "batch_size", "lmbda", "momentum",
                         "dropout", "early_stopping", "halve_eta", "dtype", "activation", "output"]),
        st.one_of(numbers([0.1, 2, 5]), st.sampled_from([(3,), (), "float64", "relu", "softmax"])),
        max_size=2)))
    y_dtype = draw(st.sampled_from(["int64", "int64", "uint8", "float64", "bool", "object"]))
    return {"params": params, "partial": draw(st.booleans()),
            "X": draw(arrays(st.sampled_from([(n, features), (n, features), (n,), (n, features, 1)]))),
            "y": {**draw(arrays(st.sampled_from([(max(0, n_y),)] * 5 + [(max(0, n_y), 1)]),
                                st.just(y_dtype), kind=st.just("labels"), plain=0.0)),
                  "low": 0, "high": draw(st.sampled_from([2, 3, 1]))},
            "y_strings": draw(st.booleans()),
            "X2": draw(arrays(st.sampled_from([(3, features), (3, features), (0, features),
                                               (2, features + 1)])))}


@st.composite
def clean_sklearn_cases(draw):
    """Valid data (finite X, at least 4 samples, labels of up to 3 classes), usual
    parameters: the layouts, dtypes and values of X and the predictions fuzzed."""
    n, features = draw(st.integers(4, 12)), draw(st.integers(1, 4))
    params = {"epochs": draw(st.integers(1, 2)), "random_state": draw(st.integers(0, 10)),
              "hidden_layer_sizes": draw(st.sampled_from([(3,), (), (2, 2)])),
              **draw(st.dictionaries(st.sampled_from(["output", "activation"]),
                                     st.sampled_from(["sigmoid", "tanh", "relu"]), max_size=1)),
              **draw(st.dictionaries(st.sampled_from(["lmbda", "momentum", "dropout"]),
                                     st.sampled_from([0.0, 0.1, 0.5]), max_size=1))}
    return {"params": params, "partial": draw(st.booleans()),
            "X": draw(arrays(st.just((n, features)), plain=1.0)),
            "y": {"shape": (n,), "dtype": draw(st.sampled_from(["int64", "uint8", "float64"])),
                  "kind": "labels", "low": 0, "high": 3, "seed": draw(st.integers(0, 2**16))},
            "y_strings": draw(st.booleans()),
            "X2": draw(arrays(st.sampled_from([(3, features), (1, features), (0, features)])))}


@fuzz_settings(50)
@given(sklearn_cases())
def test_sklearn(verdict, case):
    verdict("sklearn", case)


JSON_PATHS = [("sizes",), ("sizes", 0), ("sizes", 1), ("weights",), ("weights", 0),
              ("weights", 1, 0), ("weights", 0, 0, 0), ("biases", 1), ("biases", 0, 0, 0), ("cost",),
              ("metadata",), ("metadata", "history"), ("metadata", "history", 0),
              ("metadata", "checksum"), ("metadata", "architecture"), ("metadata", "encoding"),
              ("metadata", "architecture", "cost"), ("activation",), ("output",), ("extra",)]
JSON_VALUES = st.one_of(
    st.sampled_from(["<delete>", "<deep>", "<nan>", None, True, 0, -1, 1e308, 2**70, "os.system",
                     "QuadraticCost", "LogLikelihoodCost", "relu", "softmax", "binary", [], {}, [[]],
                     [4, 3, 2], [4, 3], [0, 3, 2], [10**9, 10**9], {"": 1}, [{}], "sha256:00"]),
    st.integers(), st.floats(), st.text(max_size=5))


@st.composite
def load_cases(draw):
    form = draw(st.sampled_from(["npz", "json"]))
    mutation = st.tuples(st.sampled_from(["flip", "flip", "truncate", "insert", "zero"]),
                         st.floats(0, 1), st.integers(0, 64))
    return {"form": form, "dtype": draw(st.sampled_from(["float32", "float64"])),
            "edits": draw(st.lists(st.tuples(st.sampled_from(JSON_PATHS), JSON_VALUES), max_size=3))
            if form == "json" else [],
            "mutations": draw(st.lists(mutation, max_size=2 if form == "npz" else 1)),
            "suffix": draw(st.sampled_from([form, form, "npz" if form == "json" else "json", "txt"])),
            "loader": draw(st.sampled_from(["fastnet", "network2"])),
            "load_dtype": draw(st.sampled_from(["None", "None", "np.float32", "np.float64", "int",
                                                "float16", "bogus"]))}


@fuzz_settings(150)
@given(load_cases())
def test_load_damaged_model_files(verdict, case):
    verdict("load", case)


@st.composite
def vision_cases(draw):
    shape = draw(st.one_of(st.tuples(st.integers(0, 80), st.integers(0, 200)),
                           st.sampled_from([(), (28,), (28, 28, 3), (1, 1), (4000, 4000)])))
    kind = draw(st.sampled_from(["ink", "ink", "unit", "constant", "normal"]))
    image = draw(arrays(st.just(shape), st.sampled_from(DTYPES), kind=st.just(kind), plain=0.5,
                        value=draw(st.sampled_from([0.0, 1.0, 0.5]))))
    return {"image": image, "function": draw(st.sampled_from(["segment", "to_mnist", "read_number"])),
            "invert": draw(st.sampled_from(["None", "None", True, False, 1, "yes", "np.bool_(True)"]))}


@fuzz_settings(100)
@given(vision_cases())
def test_vision(verdict, case):
    verdict("vision", case)


COMMANDS = {
    "train": ["--sizes", "--epochs", "--batch", "--eta", "--seed", "--dtype", "--save", "--plot",
              "--activation", "--output", "--cost", "--output-encoding", "--init", "--lmbda", "--l1",
              "--momentum", "--dropout", "--early-stopping", "--halve-eta", "--threads", "--quiet"],
    "evaluate": ["--data", "--plot", "--threads"],
    "predict": ["--dark-on-light", "--light-on-dark", "--threads"],
    "read": ["--show", "--threads"],
    "info": ["--threads"],
    "experiment": ["--seeds", "--epochs", "--jobs", "--scheduler", "--limit-train", "--hidden",
                   "--etas", "--digit", "--size", "--scales", "--count"],
    "sweep": ["--sizes", "--eta", "--batch", "--seeds", "--epochs", "--out", "--jobs", "--lmbda",
              "--momentum", "--activation"],
    "bench": ["--sizes", "--batch", "--eta", "--threads", "--rounds", "--only", "--limit"],
}
TOKENS = ["0", "-1", "1", "2", "3.5", "nan", "inf", "-inf", "1e400", "1e-320", "784,30,10", ",", "784,,10",
          "0x10", "", " ", "abc", "1,10000000000000000000000", "1_000", "\u0663", "\u22121", "10000000000000000000000", "True",
          "{scratch}/model.npz", "{scratch}/curve.png", "{scratch}/missing/model.npz", "{scratch}",
          "/dev/null", "model.txt", "{scratch}/r.jsonl", "float64", "relu", "hidden", "0.5", "1.0",
          "--", "-h"]


@st.composite
def argvs(draw):
    command = draw(st.sampled_from(sorted(COMMANDS) + ["bogus"]))
    argv = [command] if command != "bogus" or draw(st.booleans()) else []
    if command in ("evaluate", "predict", "read", "info"):
        argv.append(draw(st.sampled_from(["{scratch}/model.npz", "model.npz", ""])))
    if command == "experiment":
        argv.append(draw(st.sampled_from(["hidden", "eta", "bogus"])))
    for _ in range(draw(st.integers(0, 4))):
        argv.append(draw(st.sampled_from(COMMANDS.get(command, ["--x"]))))
        argv.extend(draw(st.lists(st.sampled_from(TOKENS), max_size=2)))
    return argv


@fuzz_settings(150)
@given(argvs())
def test_command_line_parser(verdict, argv):
    verdict("cli", {"argv": argv})
