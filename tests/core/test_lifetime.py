"""A process that fastnet runs from start to finish skips its last garbage collection:
an object left in a reference cycle is then not finalized at exit."""
import subprocess
import sys

import pytest

#: leaves an object in a reference cycle whose finalizer prints, then runs the lines given
CYCLE = """
class Cycle:
    def __del__(self):
        print("finalized", flush=True)
cycle = Cycle()
cycle.me = cycle
del cycle
import gc
gc.disable()  # the cycle waits for the collection at exit
"""


def finalized_at_exit(*lines: str) -> bool:
    run = subprocess.run([sys.executable, "-c", CYCLE + "\n".join(lines)],
                         capture_output=True, text=True, timeout=120)
    assert run.returncode == 0, run.stderr
    return "finalized" in run.stdout


def test_a_process_collects_its_cycles_at_exit_unless_told_to_skip_it():
    assert finalized_at_exit("pass")
    assert not finalized_at_exit("from fastnet.core.lifetime import skip_collection_at_exit",
                                 "skip_collection_at_exit()", "skip_collection_at_exit()")


@pytest.mark.parametrize("call, skips", [("main()", True), ("main(['--version'])", False)])
def test_the_command_skips_it_only_when_it_reads_the_command_line(call, skips):
    """``fastnet`` on the command line is the process's whole work; ``main(argv)`` called
    from a program leaves that program's exit as it was."""
    ran = ("import sys", "sys.argv = ['fastnet', '--version']", "from fastnet.cli import main",
           f"try:\n    {call}\nexcept SystemExit:\n    pass")
    assert finalized_at_exit(*ran) is not skips
