"""Running the ``fastnet`` command as a user at a terminal does: under a pseudo-terminal,
and interruptible with Ctrl-C."""
import os
import signal
import subprocess
import sys


def ctrl_c_enabled() -> None:
    """``preexec_fn`` of a child a test interrupts with SIGINT: the signal's default
    action, even where the test run itself was started with SIGINT ignored (as a
    shell's background job is), which the child would inherit."""
    signal.signal(signal.SIGINT, signal.SIG_DFL)


def run_on_a_terminal(argv, env=None, timeout=120) -> str:
    """Run ``python -m fastnet argv`` under a pseudo-terminal of 80 columns; what it
    printed (stdout and stderr), after checking that it exited 0."""
    import fcntl
    import pty
    import struct
    import termios
    master, slave = pty.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 24, 80, 0, 0))
    process = subprocess.Popen([sys.executable, "-m", "fastnet", *argv], env=env,
                               stdin=slave, stdout=slave, stderr=slave, close_fds=True)
    os.close(slave)
    screen = b""
    while True:
        try:
            chunk = os.read(master, 4096)
        except OSError:  # the child closed the terminal
            break
        if not chunk:
            break
        screen += chunk
    os.close(master)
    assert process.wait(timeout=timeout) == 0
    return screen.decode(errors="replace")
