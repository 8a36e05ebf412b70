"""The ``promptcut`` command. Filled in below; heavy imports happen inside subcommands only."""

import sys


def main(argv: list[str] | None = None) -> int:
    print("promptcut: the command line is being built", file=sys.stderr)
    return 1
