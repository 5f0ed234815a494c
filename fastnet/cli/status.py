"""The fastnet command's one exit-code policy: 0 when a command did its work, 2 and one
line on stderr for a mistake in the user's input (arguments, data, model or image
files), 130 after Ctrl-C (the shell's status for a process ended by SIGINT)."""
import sys
from typing import Callable, Optional

OK = 0
USER_ERROR = 2
INTERRUPTED = 130
#: the errors that report a mistake in the user's input, not a bug (MemoryError: a
#: network or file too large for this machine, refused with the bytes it would need)
USER_ERRORS = (ValueError, TypeError, FileNotFoundError, RuntimeError, OSError, MemoryError)


def run_command(name: str, command: Callable[[], int], prog: Optional[str] = None) -> int:
    """``command()``'s exit status; Ctrl-C gives INTERRUPTED, a user error USER_ERROR with
    ``fastnet NAME: error: ...`` on stderr (``PROG: error: ...`` when a script names
    itself ``prog``)."""
    try:
        return command()
    except KeyboardInterrupt:
        print("\nInterrupted.", file=sys.stderr)
        return INTERRUPTED
    except USER_ERRORS as error:
        print(f"{prog or 'fastnet ' + name}: error: {error}", file=sys.stderr)
        return USER_ERROR
