"""Support assistant for the Digital Message service: FAQ answers, onboarding actions, handoff."""

import os

__version__ = "0.2.0"


def _stamp(entry: os.DirEntry) -> str:
    try:
        info = entry.stat()
    except OSError:   # removed since the folder was listed
        return f"{entry.path}|missing"
    return f"{entry.path}|{info.st_size}|{info.st_mtime_ns}"


# The package's own modules as this process imports them ("path|size|mtime" each, as `paths.stamps`),
# taken before any of them is: a prebuilt index is keyed by the code that built it (`cache`), so a file
# changed under a running process (a merge during a test run) keys the next process's index, not this one's.
with os.scandir(os.path.dirname(os.path.abspath(__file__))) as _found:
    CODE = tuple(sorted(_stamp(entry) for entry in _found if entry.name.endswith(".py")))
del _found
