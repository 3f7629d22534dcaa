"""Make resources/datasets/mnist-sample.npz from the full MNIST IDX files.

    python resources/datasets/make_mnist_sample.py [MNIST_DIR] [--out PATH]

MNIST_DIR defaults to $NNPLAYGROUND_MNIST_DIR or /work/shared/datasets/mnist. The sample is the
first 10,000 training and the first 2,000 test images and labels, in the original order, as
uint8 arrays x_train (10000, 28, 28), y_train, x_test (2000, 28, 28), y_test - the layout of
Keras' mnist.npz, so one loader reads both. The zip entries get a fixed timestamp so that the
same input always gives byte-identical output (the SHA-256 printed at the end is reproducible).
The payload SHA-256s of the input are checked first, so a damaged copy cannot slip in.
"""

import argparse
import hashlib
import io
import os
import sys
import zipfile
from pathlib import Path

import numpy as np

from nnplayground.data.mnist import MNIST_SHA256, load_idx_folder

N_TRAIN, N_TEST = 10_000, 2_000


def write_npz(path: Path, arrays: dict) -> None:
    """np.savez_compressed, but with fixed zip timestamps (byte-reproducible), written atomically."""
    tmp = path.with_name(path.name + ".part")
    with zipfile.ZipFile(tmp, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=9) as zf:
        for name, array in arrays.items():
            buffer = io.BytesIO()
            np.lib.format.write_array(buffer, np.ascontiguousarray(array), allow_pickle=False)
            info = zipfile.ZipInfo(name + ".npy", date_time=(1980, 1, 1, 0, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            zf.writestr(info, buffer.getvalue(), compresslevel=9)
    os.replace(tmp, path)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    default_dir = os.environ.get("NNPLAYGROUND_MNIST_DIR", "/work/shared/datasets/mnist")
    parser.add_argument("mnist_dir", nargs="?", default=default_dir)
    parser.add_argument("--out", default=str(Path(__file__).with_name("mnist-sample.npz")))
    args = parser.parse_args(argv)
    full = load_idx_folder(args.mnist_dir, checksums=MNIST_SHA256)
    sample = {
        "x_train": full["x_train"][:N_TRAIN], "y_train": full["y_train"][:N_TRAIN],
        "x_test": full["x_test"][:N_TEST], "y_test": full["y_test"][:N_TEST],
    }
    out = Path(args.out)
    write_npz(out, sample)
    digest = hashlib.sha256(out.read_bytes()).hexdigest()
    print(f"wrote {out} ({out.stat().st_size:,} bytes), sha256 {digest}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
