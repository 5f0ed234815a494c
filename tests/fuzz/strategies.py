"""Hypothesis strategies of the fuzz cases' plain-data parameters: array specs
(``judging.make_array``), networks, data sets, hyper-parameters."""
from hypothesis import strategies as st

#: dtypes of user arrays: the network's, other floats, ints, bool, complex, object
DTYPES = ["float32", "float64", "float16", "longdouble", "int64", "int8", "uint8", "bool",
          "complex128", "object"]
LAYOUTS = ["C", "F", "strided", "reversed", "readonly", "memmap"]
SPECIALS = ["nan", "inf", "-inf", "huge", "hugest", "subnormal", "zero", "negative-zero"]


def arrays(shape, dtypes=st.sampled_from(DTYPES), kind=st.just("normal"), plain=0.6, **extra):
    """An array spec of ``shape`` (a strategy of tuples). With probability ``plain``
    (roughly) a float array of finite values; else any dtype, layout and special values.
    ``extra``: more fixed entries of the spec."""
    fixed = {key: st.just(v) for key, v in extra.items()}
    odd = st.fixed_dictionaries({
        "shape": shape, "dtype": dtypes, "kind": kind, "seed": st.integers(0, 2**16),
        "layout": st.sampled_from(LAYOUTS),
        "specials": st.lists(st.sampled_from(SPECIALS), max_size=2),
        "scale": st.sampled_from([1.0, 1.0, 1e-30, 1e20, 1e30]), **fixed})
    usual = st.fixed_dictionaries({
        "shape": shape, "dtype": st.sampled_from(["float32", "float64"]), "kind": kind,
        "seed": st.integers(0, 2**16), "layout": st.sampled_from(LAYOUTS), **fixed})
    weights = [(usual, plain), (odd, 1 - plain)]
    return st.one_of(*[s for s, w in weights for _ in range(max(1, round(w * 5)))])


def networks(n_in=st.integers(1, 5), n_out=st.integers(1, 4), options=True):
    """A valid network spec: sizes, dtype, seed, and (with ``options``) neurons/cost."""
    @st.composite
    def build(draw):
        sizes = [draw(n_in), *draw(st.lists(st.integers(1, 5), max_size=2)), draw(n_out)]
        spec = {"sizes": sizes, "dtype": draw(st.sampled_from(["float32", "float64"])),
                "seed": draw(st.integers(0, 1000))}
        if options and draw(st.booleans()):
            spec["activation"] = draw(st.sampled_from(["sigmoid", "tanh", "relu"]))
            output = draw(st.sampled_from(["sigmoid", "tanh", "relu", "linear", "softmax"]))
            if output == "softmax" and sizes[-1] >= 2:
                spec.update(output="softmax", cost="log-likelihood")
            elif output != "softmax":
                spec["output"] = output
                if output == "sigmoid" and draw(st.booleans()):
                    spec["cost"] = "cross-entropy"
        return spec
    return build()


def data_sets(n_in: int, n_out: int, max_n: int = 12):
    """Examples for a network of n_in inputs and n_out outputs, as arrays or pairs:
    mostly the right shapes, sometimes wrong ones, lengths that disagree, labels out of
    range, targets instead of labels."""
    @st.composite
    def build(draw):
        n = draw(st.integers(0, max_n) if draw(st.integers(0, 9)) == 0 else st.integers(1, max_n))
        columns = draw(st.sampled_from([n_in] * 8 + [n_in + 1, max(0, n_in - 1)]))
        x_shape = draw(st.sampled_from([(n, columns)] * 10 + [(n,), (n, columns, 1), (n, 1, columns)]))
        n_y = n + draw(st.sampled_from([0] * 10 + [-1, 1]))
        n_y = max(0, n_y)
        if draw(st.integers(0, 3)):  # labels
            high = n_out if n_out > 1 else 2
            high += draw(st.sampled_from([0] * 8 + [1, 5]))
            y = draw(arrays(st.just((n_y,)), st.sampled_from(["int64", "int32", "uint8", "int8", "bool",
                                                                 "float64", "object"]),
                            kind=st.just("labels"), plain=0.0, low=draw(st.sampled_from([0] * 9 + [-1])),
                            high=high))
            if y["dtype"] not in ("float64", "object", "bool") or draw(st.booleans()):
                y["specials"] = []
            if draw(st.integers(0, 5)) and y["dtype"] in ("float64", "object", "bool"):
                y["dtype"] = "int64"
        else:  # target vectors
            y_shape = draw(st.sampled_from([(n_y, n_out)] * 6 + [(n_y, n_out, 1), (n_y, n_out + 1), (n_y,)]))
            y = draw(arrays(st.just(y_shape), kind=st.just("unit")))
        return {"form": draw(st.sampled_from(["arrays", "arrays", "pairs"])),
                "X": draw(arrays(st.just(x_shape))), "y": y,
                "x_shape": draw(st.sampled_from(["column", "flat"])),
                "y_kind": draw(st.sampled_from(["int", "numpy", "bool", "float", "column", "flat"])),
                "bad_pair": draw(st.one_of(st.none(), st.none(), st.none(), st.integers(0, 20)))}
    return build()


def numbers(usual, huge: bool = True):
    """A hyper-parameter: usual values, boundaries, other types, non-finite numbers;
    ``huge``: 2**70 among them (not for a count of epochs, which would train for ever)."""
    odd = [0, -1, 0.0, -0.0, 1e30, 1e300, 1e-320, float("nan"), float("inf"), True, "3",
           "None", "np.int64(3)", "np.float64(0.5)", "np.float16(3)", "Fraction(1, 2)",
           "Decimal(3)", "1+0j", "[3]", "np.bool_(True)"] + [2**70] * huge
    return st.one_of(st.sampled_from(usual), st.sampled_from(usual), st.sampled_from(usual),
                     st.sampled_from(odd))


def clean_data_sets(n_in: int, n_out: int, max_n: int = 12):
    """Valid examples: finite float inputs of the right shape, labels in range."""
    @st.composite
    def build(draw):
        n = draw(st.integers(1, max_n))
        return {"form": draw(st.sampled_from(["arrays", "arrays", "pairs"])),
                "X": {"shape": (n, n_in), "dtype": draw(st.sampled_from(["float32", "float64"])),
                      "seed": draw(st.integers(0, 2**16))},
                "y": {"shape": (n,), "dtype": "int64", "kind": "labels", "low": 0,
                      "high": n_out if n_out > 1 else 2, "seed": draw(st.integers(0, 2**16))},
                "x_shape": "column", "y_kind": "int", "bad_pair": None}
    return build()
