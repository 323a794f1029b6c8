#!/usr/bin/env python3
# subreaper.py CMD [ARGS...]: runs CMD as a child and reaps every orphan below it, as an init would.
#
# PID 1 on the benchmark machine does not reap orphans. Monit's start programs daemonize their
# worker, so a killed worker would stay a zombie that still answers `kill -0` and Monit would
# think it runs. PR_SET_CHILD_SUBREAPER makes orphans land here instead, where they are reaped.
# SIGTERM/SIGINT/SIGHUP go on to CMD. After CMD exits, the remaining orphans (workers the harness
# kills) are reaped too; then this exits with CMD's status (128+N when a signal N ended it).
import ctypes
import os
import signal
import sys

PR_SET_CHILD_SUBREAPER = 36


def main() -> int:
    if ctypes.CDLL(None, use_errno=True).prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) != 0:
        print("subreaper: prctl(PR_SET_CHILD_SUBREAPER) failed", file=sys.stderr)
        return 125
    child = os.fork()
    if child == 0:
        os.execvp(sys.argv[1], sys.argv[1:])

    def forward(signum: int, _frame: object) -> None:
        try:
            os.kill(child, signum)
        except ProcessLookupError:
            pass

    for sig in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP):
        signal.signal(sig, forward)
    status = 0
    while True:
        try:
            pid, raw = os.wait()
        except ChildProcessError:
            return status
        except InterruptedError:
            continue
        if pid == child:
            code = os.waitstatus_to_exitcode(raw)
            status = 128 - code if code < 0 else code


if __name__ == "__main__":
    sys.exit(main())
