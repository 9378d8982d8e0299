"""The one way the tests wait and the one way they find a port: waits are on a condition
(never a fixed sleep standing in for one), ports are the kernel's free ones."""
import socket
import time


def free_port():
    """A TCP port free on 127.0.0.1 now (the kernel's choice)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for(check, timeout=15, interval=0.1, what=None, ignoring=()):
    """Calls `check` until it returns something true, and returns that. On timeout: raises
    AssertionError naming `what` when given (a callable: what it returns then, the state the
    test saw last), else returns the last (false) value. Exceptions of the `ignoring` classes
    count as "not yet" (a page element replaced while read)."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            value = check()
        except ignoring:
            value = None
        if value:
            return value
        if time.monotonic() >= deadline:
            if callable(what):
                what = what()
            if what:
                raise AssertionError(f"timed out after {timeout} s waiting for {what}")
            return value
        time.sleep(interval)
