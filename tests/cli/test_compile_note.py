"""The lines about preparing the training kernels: one before a compilation, one after a
long preparation saying whether it compiled or loaded from the disk cache; on a
terminal only."""
import io
import os
import subprocess
import sys
import textwrap

import numpy as np

from fastnet import Network, kernels
from fastnet.core import compile_note
from fastnet.core.compile_note import CompileNote


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_the_note_shows_only_on_a_terminal_and_only_when_long():
    for stream, seconds in ((io.StringIO(), 30.0), (Terminal(), 0.5)):
        CompileNote(stream)(seconds)
        assert stream.getvalue() == ""
    terminal = Terminal()
    CompileNote(terminal)(2.5)
    assert terminal.getvalue() == "Loaded the compiled training kernels from the disk cache in 2.5 s\n"


def test_the_note_says_compiled_when_the_kernel_was_compiled(monkeypatch):
    terminal = Terminal()
    note = CompileNote(terminal)
    monkeypatch.setattr(compile_note, "compiled_count", lambda: note.compiled_before + 1)
    note(23.42)
    assert terminal.getvalue().startswith("Compiled the training kernels for this machine in 23.4 s")
    assert terminal.getvalue().count("\n") == 1


def test_compiled_count_counts_the_training_kernels_compilations():
    counts = [sum(k.stats.cache_misses.values())
              for k in (kernels.train_epoch, kernels.train_epoch_threaded)]
    assert compile_note.compiled_count() == sum(counts) >= 0


class Recorder:
    """A ``prepared`` that records its calls."""

    def __init__(self):
        self.calls = []

    def starting(self):
        self.calls.append("starting")

    def __call__(self, seconds):
        self.calls.append("prepared")


def test_starting_is_called_only_when_the_kernels_will_compile(monkeypatch):
    data = (np.random.rand(20, 6).astype(np.float32), np.arange(20) % 3)
    for compiles, expected in ((True, ["starting", "prepared"]), (False, ["prepared"])):
        seen = Recorder()
        monkeypatch.setattr("fastnet.core.workspace.will_compile", lambda kernel, args: compiles)
        list(Network([6, 4, 3]).train_epochs(data, 1, 5, 0.5, prepared=seen))
        assert seen.calls == expected


def test_will_compile_reads_the_disk_cache(tmp_path):
    """A cached function: True before its first call in a fresh cache, False in the same
    process once compiled, False in a second process that finds it on disk; True for
    types never compiled."""
    (tmp_path / "tiny.py").write_text(textwrap.dedent("""
        from numba import njit
        @njit(cache=True)
        def double(x):
            return 2 * x
    """))
    script = textwrap.dedent("""
        import sys
        sys.path.insert(0, sys.argv[1])
        from tiny import double
        from fastnet.core.compile_note import will_compile
        before = will_compile(double, (1.5,))
        double(1.5)
        print(before, will_compile(double, (1.5,)), will_compile(double, (1,)))
    """)
    env = {**os.environ, "NUMBA_CACHE_DIR": str(tmp_path / "cache")}

    def run():
        return subprocess.run([sys.executable, "-c", script, str(tmp_path)], env=env,
                              capture_output=True, text=True, check=True).stdout.split()

    assert run() == ["True", "False", "True"]
    assert run() == ["False", "False", "True"]


def test_sgd_prints_the_line_before_compiling_on_a_terminal(monkeypatch, capsys):
    terminal = Terminal()
    monkeypatch.setattr(sys, "stderr", terminal)
    monkeypatch.setattr("fastnet.core.workspace.will_compile", lambda kernel, args: True)
    Network([6, 4, 3]).SGD((np.random.rand(20, 6).astype(np.float32), np.arange(20) % 3), 1, 5, 0.5)
    assert terminal.getvalue().startswith("Compiling the training kernels for this machine, once: about 30 s")
