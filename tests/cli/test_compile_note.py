"""``fastnet train``'s line about preparing the training kernels: on a terminal only,
only when it took long, saying whether it compiled or loaded from the disk cache."""
import io

from fastnet import kernels
from fastnet.cli import train
from fastnet.cli.train import CompileNote


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
    monkeypatch.setattr(train, "compiled_count", lambda: note.compiled_before + 1)
    note(23.42)
    assert terminal.getvalue().startswith("Compiled the training kernels for this machine in 23.4 s")
    assert terminal.getvalue().count("\n") == 1


def test_compiled_count_counts_the_training_kernels_compilations():
    counts = [sum(k.stats.cache_misses.values())
              for k in (kernels.train_epoch, kernels.train_epoch_threaded)]
    assert train.compiled_count() == sum(counts) >= 0

