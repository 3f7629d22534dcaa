"""Datasets for nnplayground: toy generators, logic gates, MNIST, the user's files, digit images.

Everything goes through `load_dataset(spec)` (a preset's "dataset" dict -> `Dataset`);
errors are `DatasetError` with a message naming the parameter or file and the fix.
numpy only (plus platformdirs, Pillow for digit images); never Qt.
"""

from nnplayground.resources import resources_dir

from .dataset import Dataset, DatasetError
from .digits import load_digit_image, preprocess_digit
from .download import MIRRORS, download_mnist
from .files import load_file
from .idx import read_idx
from .load import DATASET_KINDS, dataset_defaults, load_dataset, resolve_data_path
from .mnist import MNIST_SHA256, find_full_set, load_mnist, sample_path, user_mnist_dir
from .toy import FEATURES, input_range, make_features

__all__ = [
    "DATASET_KINDS", "Dataset", "DatasetError", "FEATURES", "MIRRORS", "MNIST_SHA256",
    "dataset_defaults", "download_mnist", "find_full_set", "input_range", "load_dataset",
    "load_digit_image", "load_file", "load_mnist", "make_features", "preprocess_digit",
    "read_idx", "resolve_data_path", "resources_dir", "sample_path", "user_mnist_dir",
]
