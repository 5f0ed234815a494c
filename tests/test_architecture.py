"""The package's architecture: dependencies point one way (cli -> applications -> book
API -> io -> core -> kernels -> config), no import cycles, no module over 600 lines, and
the old module paths still name the modules they named."""
import ast
import importlib
import subprocess
import sys
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "fastnet"

#: rank of each part of the package: a module may import its own rank or below
RANKS = {"config": 0, "kernels": 1, "core": 2, "io": 3,
         "network": 4, "network2": 4, "mnist_loader": 4, "sklearn": 4,
         "experiments": 5, "sweeps": 5, "vision": 5, "bench": 5, "cli": 6}
#: the old module paths: aliases that nothing inside the package imports
ALIASES = {"digit_strings": "fastnet.vision.digit_strings",
           "download": "fastnet.io.download",
           "persist": "fastnet.io.persist", "data": "fastnet.io.idx",
           "neurons": "fastnet.experiments.neurons"}
#: imports inside a function that reach up on purpose: the model's conveniences
#: ``Network.save`` and ``Network.read_number`` delegate to io and vision
LATE_UPWARD = {("fastnet.core.model", "fastnet.io.persist"), ("fastnet.core.model", "fastnet.io.images"),
               ("fastnet.core.model", "fastnet.vision.reading")}


def module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imports(path: Path):
    """(imported fastnet module, at module level?) for every import in the file."""
    name = module_name(path)
    package = name if path.name == "__init__.py" else name.rsplit(".", 1)[0]
    tree = ast.parse(path.read_text())
    top_level = {id(node) for node in tree.body}
    top_level |= {id(n) for node in tree.body if isinstance(node, ast.If) for n in node.body}
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")[:len(package.split(".")) - node.level + 1]
                target = ".".join(base + ([node.module] if node.module else []))
            else:
                target = node.module or ""
            # ``from . import sub`` imports the submodules, not the package being run
            targets = [target] if node.module else []
            if node.module is None or importlib.util.find_spec(target) is not None:
                targets += [f"{target}.{alias.name}" for alias in node.names]
        elif isinstance(node, ast.Import):
            targets = [alias.name for alias in node.names]
        else:
            continue
        for target in targets:
            if target.startswith("fastnet.") and _is_module(target):
                found.append((target, id(node) in top_level))
    return found


def _is_module(name: str) -> bool:
    relative = Path(*name.split(".")[1:])
    return (PACKAGE / relative).with_suffix(".py").is_file() or (PACKAGE / relative / "__init__.py").is_file()


def rank(module: str):
    part = module.split(".")[1] if "." in module else None
    return RANKS.get(part)


SOURCES = sorted(p for p in PACKAGE.rglob("*.py") if "__pycache__" not in p.parts)


@pytest.mark.parametrize("path", SOURCES, ids=lambda p: module_name(p))
def test_imports_point_down(path):
    here = module_name(path)
    if rank(here) is None:  # fastnet/__init__, __main__ and the aliases sit above everything
        return
    for target, top_level in imports(path):
        there = rank(target)
        assert there is not None or target.split(".")[1] not in ALIASES, \
            f"{here} imports the old alias {target}: import {ALIASES[target.split('.')[1]]}"
        if there is not None and there > rank(here):
            assert not top_level and (here, target) in LATE_UPWARD, \
                f"{here} (layer {rank(here)}) imports {target} (layer {there}) above it"


def test_no_import_cycles():
    graph = {module_name(p): {t for t, top in imports(p) if top} for p in SOURCES}
    done, path = set(), []

    def visit(node):
        if node in path:
            cycle = path[path.index(node):] + [node]
            raise AssertionError("import cycle: " + " -> ".join(cycle))
        if node in done:
            return
        path.append(node)
        for target in graph.get(node, ()):
            # importing a package's submodule runs the package's __init__ first, not a cycle
            if not node.startswith(target + "."):
                visit(target)
        path.pop()
        done.add(node)

    for node in graph:
        visit(node)


@pytest.mark.parametrize("path", SOURCES, ids=lambda p: module_name(p))
def test_modules_stay_small(path):
    assert len(path.read_text().splitlines()) <= 600


@pytest.mark.parametrize("old, new", sorted(ALIASES.items()))
def test_old_module_paths_are_the_new_modules(old, new):
    assert importlib.import_module(f"fastnet.{old}") is importlib.import_module(new)


def test_old_costs_path_keeps_its_names():
    from fastnet import costs
    from fastnet.core import costs as cost_classes
    from fastnet.core import registry
    assert costs.QuadraticCost is cost_classes.QuadraticCost
    assert costs.ACTIVATIONS is registry.ACTIVATIONS and costs.COSTS is registry.COSTS


def test_old_expand_path_keeps_its_names():
    from fastnet import expand
    from fastnet.cli import expand as command
    from fastnet.io import expand as files
    for name in ("expand_images", "expand_mnist", "default_dest", "SHIFTS", "VALIDATION_SIZE"):
        assert getattr(expand, name) is getattr(files, name), name
    for name in ("main", "run_expand", "add_parser"):
        assert getattr(expand, name) is getattr(command, name), name
    assert set(expand.__all__) <= set(vars(expand))


def test_old_segment_path_keeps_its_names():
    from fastnet import segment
    from fastnet.vision import cuts, reading
    from fastnet.vision import segment as cutting
    for name in ("segment", "Digit", "box_iou", "otsu_threshold", "label_components",
                 "median3x3", "MAX_PIXELS", "MIN_AREA", "CUT_METHOD", "SPLIT_HEIGHT", "Box"):
        assert getattr(segment, name) is getattr(cutting, name), name
    for name in ("read_number", "draw", "NumberReading"):
        assert getattr(segment, name) is getattr(reading, name), name
    assert segment.PATH_HOLE is cuts.PATH_HOLE and segment.CUT_WINDOW is cuts.CUT_WINDOW
    assert set(segment.__all__) <= set(vars(segment))


def test_import_fastnet_loads_no_application_code():
    code = ("import sys, fastnet; fastnet.Network([2, 1]);"
            "print(sorted(m for m in sys.modules if m.split('.')[0] in "
            "('dask', 'distributed', 'sklearn', 'matplotlib', 'torch', 'jax') "
            "or m.startswith(('fastnet.bench', 'fastnet.cli', 'fastnet.experiments', 'fastnet.vision'))))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
