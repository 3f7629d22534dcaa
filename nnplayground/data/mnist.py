"""MNIST and Fashion-MNIST: finding the full set on disk, the bundled sample, the Keras npz.

Lookup order for the full set: the folder the caller gives (`mnist_dir`, e.g. the CLI's
--mnist), the environment variable (NNPLAYGROUND_MNIST_DIR or NNPLAYGROUND_FASHION_MNIST_DIR),
the user data folder (platformdirs). `source: "auto"` and `"sample"` never touch the network:
classrooms are often offline, so "auto" falls back to the bundled 10,000-image sample and says
so in `Dataset.note`. `source: "full"` is the user asking for all 60,000 images: when they are
nowhere on disk, MNIST is downloaded into the user data folder (the `fetch` that
`load.load_dataset` passes in, `download.fetch_mnist`: progress reported, payload SHA-256
checked, files renamed into place only when whole; download builds on this module, so this
module does not import it); offline,
the error says where it looked and the three ways to get the set. A folder the user names
(`mnist_dir`, the CLI's --mnist) must hold the set: falling back silently would train on
something they did not ask for.
"""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np

from nnplayground.resources import ResourcesError, resources_dir

from .dataset import Dataset, DatasetError
from .idx import IMAGES_MAGIC, LABELS_MAGIC, read_idx
from .npz import read_npz_arrays

PARTS = {  # array name -> IDX base name (the same for MNIST and Fashion-MNIST)
    "x_train": "train-images-idx3-ubyte",
    "y_train": "train-labels-idx1-ubyte",
    "x_test": "t10k-images-idx3-ubyte",
    "y_test": "t10k-labels-idx1-ubyte",
}
# SHA-256 of the decompressed payloads, as public loaders check them.
MNIST_SHA256 = {
    "train-images-idx3-ubyte": "ba891046e6505d7aadcbbe25680a0738ad16aec93bde7f9b65e87a2fc25776db",
    "train-labels-idx1-ubyte": "65a50cbbf4e906d70832878ad85ccda5333a97f0f4c3dd2ef09a8a9eef7101c5",
    "t10k-images-idx3-ubyte": "0fa7898d509279e482958e8ce81c8e77db3f2f8254e26661ceb7762c4d494ce7",
    "t10k-labels-idx1-ubyte": "ff7bcfd416de33731a308c3f266cc351222c34898ecbeaf847f06e48f7ec33f2",
}
ENV_VARS = {"mnist": "NNPLAYGROUND_MNIST_DIR", "fashion-mnist": "NNPLAYGROUND_FASHION_MNIST_DIR"}
SAMPLE_FILE = "mnist-sample.npz"
FASHION_CLASSES = ("T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt",
                   "Sneaker", "Bag", "Ankle boot")


def user_mnist_dir(kind: str = "mnist") -> Path:
    """Where the app keeps (and `download_mnist` writes) the full set for this user."""
    from platformdirs import user_data_dir
    return Path(user_data_dir("nnplayground")) / kind


def sample_path() -> Path:
    """The bundled sample's file; a missing resources folder is a DatasetError like any other
    unreadable dataset, so callers handle one error type."""
    try:
        return resources_dir() / "datasets" / SAMPLE_FILE
    except ResourcesError as exc:
        raise DatasetError(str(exc)) from None


def _idx_file(folder: Path, base: str) -> Path | None:
    """The IDX file for `base` in `folder`: raw or .gz, dash or dot naming (both circulate)."""
    dotted = base.replace("-idx", ".idx")
    for name in (base + ".gz", base, dotted + ".gz", dotted):
        if (folder / name).is_file():
            return folder / name
    return None


def locate(folder) -> Path | None:
    """The full set in `folder`: the folder itself if it holds the four IDX files, the Keras
    `mnist.npz` if it is that file or holds it; None when neither is there."""
    folder = Path(folder).expanduser()
    if folder.is_file() and folder.suffix == ".npz":
        return folder
    if not folder.is_dir():
        return None
    if all(_idx_file(folder, base) for base in PARTS.values()):
        return folder
    if (folder / "mnist.npz").is_file():
        return folder / "mnist.npz"
    return None


def candidate_dirs(kind: str = "mnist", mnist_dir=None) -> list[tuple[Path, str]]:
    """The places to look, in order, each with how it was chosen (for the note and errors)."""
    places = []
    if mnist_dir:
        places.append((Path(mnist_dir).expanduser(), "the folder given"))
    env = os.environ.get(ENV_VARS[kind])
    if env:
        places.append((Path(env).expanduser(), ENV_VARS[kind]))
    places.append((user_mnist_dir(kind), "the user data folder"))
    return places


def find_full_set(kind: str = "mnist", mnist_dir=None) -> Path | None:
    for place, _how in candidate_dirs(kind, mnist_dir):
        found = locate(place)
        if found is not None:
            return found
    return None


def load_idx_folder(folder, checksums: dict | None = None, progress=None) -> dict:
    """Read the four IDX files of a folder into uint8 arrays and check they fit together.

    `checksums` maps IDX base names to payload SHA-256s (MNIST's are known; Fashion's are not
    checked). `progress(done_bytes, total_bytes, filename)` is called after each file, in file
    bytes on disk, the same callback shape as downloading.
    """
    folder = Path(folder)
    paths = {}
    for key, base in PARTS.items():
        paths[key] = _idx_file(folder, base)
        if paths[key] is None:
            raise DatasetError(f"{folder}: missing {base}.gz (or {base}); a full set needs "
                               f"{', '.join(PARTS.values())}")
    total = sum(path.stat().st_size for path in paths.values())
    done, arrays = 0, {}
    for key, path in paths.items():
        magic = IMAGES_MAGIC if key.startswith("x") else LABELS_MAGIC
        base = PARTS[key]
        arrays[key] = read_idx(path, magic, (checksums or {}).get(base))
        done += path.stat().st_size
        if progress is not None:
            progress(done, total, path.name)
    return check_arrays(arrays, str(folder))


def load_npz(path) -> dict:
    """Read a Keras-style `mnist.npz` (x_train, y_train, x_test, y_test; no pickles)."""
    path = Path(path)
    found = read_npz_arrays(path, fix="the file may be truncated or damaged: download or copy "
                                      "it again")
    missing = [key for key in PARTS if key not in found]
    if missing:
        raise DatasetError(f"{path}: missing arrays {', '.join(missing)}; an MNIST .npz "
                           f"holds x_train, y_train, x_test, y_test (found: "
                           f"{', '.join(found) or 'none'})")
    arrays = {key: found[key] for key in PARTS}
    return check_arrays(arrays, str(path))


def check_arrays(arrays: dict, name: str) -> dict:
    """Check images are (N, 28, 28) uint8 0-255, labels (N,) integers 0-9, counts matching."""
    for split in ("train", "test"):
        x, y = arrays[f"x_{split}"], arrays[f"y_{split}"]
        if x.ndim != 3 or x.shape[1:] != (28, 28):
            raise DatasetError(f"{name}: x_{split} has shape {x.shape}, expected (N, 28, 28)")
        if y.ndim != 1:
            raise DatasetError(f"{name}: y_{split} has shape {y.shape}, expected (N,)")
        if len(x) != len(y):
            raise DatasetError(f"{name}: {len(x)} {split} images but {len(y)} {split} labels; "
                               "the image and label files must come from the same set")
        if x.dtype != np.uint8 or not np.issubdtype(y.dtype, np.integer):
            raise DatasetError(f"{name}: expected uint8 images and integer labels, got "
                               f"{x.dtype} and {y.dtype}")
        if len(y) and (y.min() < 0 or y.max() > 9):
            raise DatasetError(f"{name}: y_{split} has labels outside 0-9 "
                               f"({int(y.min())}..{int(y.max())})")
    return arrays


def _to_float_images(x: np.ndarray) -> np.ndarray:
    """uint8 (N, 28, 28) -> float32 (N, 1, 28, 28) in [0, 1]."""
    out = x.astype(np.float32)[:, None, :, :]
    out *= np.float32(1.0 / 255.0)
    return out


def _limit(value, name):
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise DatasetError(f"dataset.{name}: must be a positive integer or null, got {value!r}")
    return value


def load_mnist(kind="mnist", source="auto", train_limit=None, test_limit=None, path=None,
               mnist_dir=None, progress=None, fetch=None) -> Dataset:
    """Load MNIST or Fashion-MNIST as float32 images (N, 1, 28, 28) in [0, 1], int64 labels.

    source: "full" (the full set; MNIST is downloaded into the user data folder when it is
    nowhere on disk, with progress(done_bytes, total_bytes, filename); Fashion-MNIST, whose
    checksums we do not hold, is an error saying where it was looked for), "sample" (the
    bundled 10,000/2,000 MNIST sample), "auto" (full when found locally, else the sample;
    never the network). `path` (Fashion-MNIST's folder in a preset) is looked at before
    `mnist_dir`; either one, when given, must hold the set. fetch(dest, progress): downloads
    the full set into the folder dest (`download.fetch_mnist`); without it "full" never
    touches the network.
    """
    if source not in ("auto", "sample", "full"):
        raise DatasetError(f"dataset.source: must be 'auto', 'sample' or 'full', got {source!r}")
    train_limit, test_limit = _limit(train_limit, "train_limit"), _limit(test_limit, "test_limit")
    if kind == "fashion-mnist" and source == "sample":
        raise DatasetError("dataset.source: Fashion-MNIST has no bundled sample; use 'auto' or "
                           "'full' with its folder (dataset.path, --mnist DIR or "
                           f"{ENV_VARS[kind]})")
    given = path or mnist_dir
    places = candidate_dirs(kind, given)
    if given and source != "sample" and locate(Path(given).expanduser()) is None:
        raise DatasetError(_not_in_given(kind, Path(given).expanduser()))
    found = None if source == "sample" else find_full_set(kind, given)
    downloaded = False
    if found is None and kind == "mnist" and source == "full" and fetch is not None:
        found, downloaded = _download(places, progress, fetch), True
    if found is not None:
        arrays = (load_npz(found) if found.suffix == ".npz" else
                  load_idx_folder(found, MNIST_SHA256 if kind == "mnist" else None, progress))
        note = (f"Full {'MNIST' if kind == 'mnist' else 'Fashion-MNIST'} "
                f"{'downloaded to' if downloaded else 'from'} {found} "
                f"({len(arrays['x_train']):,} training, {len(arrays['x_test']):,} test images)")
    elif kind == "fashion-mnist" or source == "full":
        raise DatasetError(_not_found(kind, places, f"full {kind} not found"))
    else:
        arrays = load_sample()
        sizes = (f"{len(arrays['x_train']):,} training and {len(arrays['x_test']):,} test "
                 "images")
        if source == "sample":
            note = f"Using the bundled MNIST sample ({sizes}), as the preset asks"
        else:
            looked = ", ".join(str(p) for p, _how in places)
            note = (f"Using the bundled sample ({sizes}): full MNIST not found (looked in "
                    f"{looked}); set {ENV_VARS[kind]} or run 'nnplayground download-mnist' for "
                    "all 60,000")
    x_train, y_train = arrays["x_train"][:train_limit], arrays["y_train"][:train_limit]
    x_test, y_test = arrays["x_test"][:test_limit], arrays["y_test"][:test_limit]
    if train_limit or test_limit:
        note += f"; limited to {len(x_train):,} training and {len(x_test):,} test images"
    return Dataset(
        name=kind, task="classification", x_train=_to_float_images(x_train),
        y_train=y_train.astype(np.int64), x_test=_to_float_images(x_test),
        y_test=y_test.astype(np.int64), n_classes=10, input_shape=(1, 28, 28),
        feature_names=("pixels",), note=note + ".")


def _not_found(kind: str, places, what: str, reason: str = "") -> str:
    """The error for a missing full set: where it looked and every way to get it."""
    looked = "; ".join(f"{p} ({how})" for p, how in places)
    files = ", ".join(f"{base}.gz" for base in PARTS.values())
    text = f"{what}; looked in: {looked}."
    if reason:
        text += f" {reason}."
    text += (f" Put {files} in one folder and pass it (--mnist DIR) or set {ENV_VARS[kind]}")
    if kind == "mnist":
        text += ", or run 'nnplayground download-mnist' where there is a network connection"
    return text


def _not_in_given(kind: str, folder: Path) -> str:
    """The error for a folder the user named that holds no set (a typo, or the wrong folder)."""
    name = "MNIST" if kind == "mnist" else "Fashion-MNIST"
    if not folder.exists():
        found = "does not exist"
    elif folder.is_dir():
        missing = [f"{base}.gz" for base in PARTS.values() if _idx_file(folder, base) is None]
        found = f"holds no {name} set (missing {', '.join(missing)}, and no mnist.npz)"
    else:
        found = "is neither a folder nor a Keras mnist.npz"
    return (f"{folder}: the {name} folder given {found}; give the folder holding the four "
            f"IDX files (.gz or raw) or a Keras mnist.npz, or leave it out to use "
            f"{ENV_VARS[kind]} or the user data folder")


def _download(places, progress, fetch) -> Path:
    """Fetch MNIST into the user data folder for `source: "full"`; offline -> DatasetError
    saying where the set was looked for and how to get it."""
    dest = user_mnist_dir("mnist")
    try:
        fetch(dest, progress)
    except DatasetError as exc:
        raise DatasetError(_not_found("mnist", places, "full mnist not found",
                                      f"Downloading it into {dest} failed: {exc}")) from exc
    except OSError as exc:  # the user data folder cannot be created or written
        raise DatasetError(_not_found("mnist", places, "full mnist not found",
                                      f"Downloading it into {dest} failed: {exc}")) from exc
    return dest


def load_sample() -> dict:
    """The bundled sample (first 10,000 training and 2,000 test images of MNIST), uint8."""
    path = sample_path()
    if not path.is_file():
        raise DatasetError(f"the bundled MNIST sample is missing: {path}; reinstall nnplayground "
                           "or regenerate it with resources/datasets/make_mnist_sample.py")
    return load_npz(path)
