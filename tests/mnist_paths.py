"""Where tests find the full MNIST: the README's place, and the reason they skip without it.

`$NNPLAYGROUND_MNIST_DIR` when set, else `../shared/datasets/mnist` beside the repository
(where a developer's checkout and CI find the shared copy). Read once at import, before any
test's fixture clears the variable.
"""

import os
from pathlib import Path

REPOSITORY = Path(__file__).resolve().parent.parent
FULL_MNIST_DIR = Path(os.environ.get("NNPLAYGROUND_MNIST_DIR")
                      or REPOSITORY.parent / "shared" / "datasets" / "mnist")
FILES = ("train-images-idx3-ubyte.gz", "train-labels-idx1-ubyte.gz",
         "t10k-images-idx3-ubyte.gz", "t10k-labels-idx1-ubyte.gz")
MISSING = (f"the full MNIST (gzip IDX files) is not in {FULL_MNIST_DIR}; set "
           f"NNPLAYGROUND_MNIST_DIR or put it in ../shared/datasets/mnist beside the repository")


def has_full_mnist() -> bool:
    return all((FULL_MNIST_DIR / name).is_file() for name in FILES)
