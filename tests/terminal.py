"""Running the ``fastnet`` command under a pseudo-terminal, as a user at a terminal sees it."""
import os
import subprocess
import sys


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
