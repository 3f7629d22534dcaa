"""Command line entry point (placeholder until the CLI lands)."""

import sys


def main(argv=None) -> int:
    print("nnplayground: the command line is not built yet", file=sys.stderr)
    return 1
