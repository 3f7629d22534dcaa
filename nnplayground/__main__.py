"""`python -m nnplayground`: the same program as the `nnplayground` command."""

from nnplayground.cli import main

if __name__ == "__main__":
    raise SystemExit(main())
