"""The argument parser: every command, its help text and examples.

Kept apart from the commands so that `nnplayground --help` imports nothing heavy (no numpy, no
Qt) and answers instantly.
"""

from __future__ import annotations

import argparse
import sys

from nnplayground import __version__
from nnplayground.cli.errors import EXIT_INVALID

DEFAULT_PRESET = "xor"
# Per-parameter max relative error allowed by `gradcheck`. Central differences in float64 with
# h = 1e-4 agree with back-propagation to about 1e-7 on smooth functions; a ReLU or max-pool kink
# crossed by the +-h step can push one entry to ~1e-6. A real backward bug gives errors of 1e-2
# or more, so 1e-5 separates the two by three orders of magnitude either way.
GRADCHECK_TOLERANCE = 1e-5


class Parser(argparse.ArgumentParser):
    """argparse, but a usage error is one line that says where to find help."""

    def error(self, message: str):
        print(f"nnplayground: error: {message} (see '{self.prog} --help')", file=sys.stderr)
        raise SystemExit(EXIT_INVALID)


def _non_negative_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a whole number, got {text!r}") from None
    if value < 0:
        raise argparse.ArgumentTypeError(f"must be 0 or more, got {value}")
    return value


def _positive_int(text: str) -> int:
    value = _non_negative_int(text)
    if value == 0:
        raise argparse.ArgumentTypeError("must be 1 or more, got 0")
    return value


def _positive_float(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a number, got {text!r}") from None
    if not value > 0 or value == float("inf"):
        raise argparse.ArgumentTypeError(f"must be a positive number, got {text}")
    return value


def _command(subparsers, name: str, summary: str, examples: str, handler: str):
    parser = subparsers.add_parser(
        name, help=summary, description=summary,
        epilog="examples:\n" + examples,
        formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.set_defaults(handler=handler)
    # Also accepted after the command (`nnplayground train x --debug`), where users add it when
    # an error message suggests it; SUPPRESS keeps the top-level value when it is absent.
    parser.add_argument("--debug", action="store_true", default=argparse.SUPPRESS,
                        help="show the full traceback of an unexpected error")
    return parser


def _add_mnist(parser) -> None:
    parser.add_argument("--mnist", metavar="DIR",
                        help="folder with the full MNIST IDX files (else NNPLAYGROUND_MNIST_DIR, "
                             "the user data folder, or the bundled 10,000-image sample)")


def _non_negative_float(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a number, got {text!r}") from None
    if not 0 <= value < float("inf"):
        raise argparse.ArgumentTypeError(f"must be 0 (off) or a positive number, got {text}")
    return value


def _add_augmentation(parser) -> None:
    """Image augmentation of the training batches; each option overrides the preset's
    `training.augmentation` entry (0 turns that distortion off)."""
    group = parser.add_argument_group(
        "augmentation", "random distortions of the training images (MNIST presets); each "
                        "overrides the preset's value, 0 turns it off")
    group.add_argument("--shift", type=_non_negative_float, metavar="PIXELS",
                       help="shift each image by up to PIXELS along each axis")
    group.add_argument("--rotation", type=_non_negative_float, metavar="DEGREES",
                       help="rotate each image by up to DEGREES either way")
    group.add_argument("--scale", type=_non_negative_float, metavar="FRACTION",
                       help="zoom each image by a factor from 1-FRACTION to 1+FRACTION")
    group.add_argument("--elastic", type=_non_negative_float, metavar="ALPHA",
                       help="elastic distortion of strength ALPHA (34: Simard's MNIST setting)")
    group.add_argument("--no-augmentation", action="store_true",
                       help="train on the images as they are, whatever the preset says")


def build_parser() -> Parser:
    parser = Parser(
        prog="nnplayground",
        description="A desktop neural-network playground. Without a command, opens the app on "
                    f"the {DEFAULT_PRESET!r} preset.",
        epilog="examples:\n"
               "  nnplayground                          open the app on the XOR preset\n"
               "  nnplayground presets                  list the built-in presets\n"
               "  nnplayground train mnist-mlp --save mlp.npz\n"
               "  nnplayground predict mlp.npz digit.png\n"
               "\nrun 'nnplayground COMMAND --help' for a command's options.\n"
               "\nexit codes:\n"
               "  0    success\n"
               "  1    the work failed: training diverged, a gradient check failed, a data set\n"
               "       could not be found or read\n"
               "  2    the input was wrong: a bad option, preset, model file or predict input\n"
               "  130  interrupted (Ctrl-C)",
        formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--version", action="version", version=f"nnplayground {__version__}")
    parser.add_argument("--debug", action="store_true",
                        help="show the full traceback of an unexpected error")
    # No command: open the app (on DEFAULT_PRESET; target stays None so that error messages of
    # other commands never name a preset the user did not give).
    parser.set_defaults(handler="open", target=None, train_for=None, screenshot=None, mnist=None,
                        gif=None, mp4=None, fps=10.0, width=800, view=None)
    commands = parser.add_subparsers(title="commands", metavar="COMMAND", parser_class=Parser)

    p = _command(commands, "open", "open the app on a preset or a trained model",
                 "  nnplayground open spiral\n"
                 "  nnplayground open my-net.json\n"
                 "  nnplayground open xor --train-for 5 --screenshot xor.png\n"
                 "  nnplayground open spiral --train-for 5 --gif spiral.gif --mp4 spiral.mp4",
                 "open")
    p.add_argument("target", metavar="FILE|NAME", help="preset file, model .npz or built-in name")
    p.add_argument("--train-for", type=_positive_float, metavar="SECONDS",
                   help="with --screenshot: train for SECONDS before the picture is taken")
    p.add_argument("--screenshot", metavar="OUT.png",
                   help="save a picture of the window (after --train-for, if given) and quit")
    p.add_argument("--gif", metavar="OUT.gif", help="after --train-for, save the run's training "
                   "history as an animated GIF (one frame per checkpoint) and quit")
    p.add_argument("--mp4", metavar="OUT.mp4", help="the same as an MP4 video (H.264)")
    p.add_argument("--fps", type=_positive_float, default=10.0, metavar="N",
                   help="frames per second of --gif/--mp4 (default 10)")
    p.add_argument("--width", type=_positive_int, default=800, metavar="PX",
                   help="width of --gif/--mp4 frames in pixels (default 800)")
    p.add_argument("--view", metavar="NAME", help="animate one view (boundary, metrics, units, "
                   "...) instead of the whole window")
    _add_mnist(p)

    p = _command(commands, "train", "train a preset headless and report each epoch",
                 "  nnplayground train xor\n"
                 "  nnplayground train mnist-cnn --epochs 2 --mnist ~/mnist --save cnn.npz\n"
                 "  nnplayground train circle --json > history.jsonl\n"
                 "  nnplayground train xor --epochs 0 --save untrained.npz\n"
                 "  nnplayground train mnist-cnn --shift 2 --rotation 10", "train")
    p.add_argument("target", metavar="FILE|NAME",
                   help="preset file, built-in name, or model .npz to train further")
    p.add_argument("--epochs", type=_non_negative_int, metavar="N",
                   help="epochs to train (default: the preset's); 0 saves the initial model")
    p.add_argument("--seed", type=_non_negative_int, metavar="S",
                   help="seed for initial weights and shuffling (default: the preset's)")
    _add_augmentation(p)
    _add_mnist(p)
    p.add_argument("--save", metavar="MODEL.npz", help="write the trained model here")
    p.add_argument("--json", action="store_true",
                   help="print one JSON object per epoch on stdout and nothing else")

    p = _command(commands, "predict", "run a trained model on inputs",
                 "  nnplayground predict mlp.npz digit.png\n"
                 "  nnplayground predict xor.npz points.csv\n"
                 "  nnplayground predict cnn.npz batch.npy --out outputs.npy", "predict")
    p.add_argument("model", metavar="MODEL.npz", help="a model saved by 'train --save' or the app")
    p.add_argument("input", metavar="INPUT",
                   help=".npy (one sample or a batch in the model's input layout), .csv (one "
                        "row of features per sample, header optional) or an image of a digit")
    p.add_argument("--out", metavar="OUT.npy",
                   help="write the raw outputs (probabilities or values) here instead of printing")

    p = _command(commands, "validate", "check a preset or model file and list every problem",
                 "  nnplayground validate my-net.json\n"
                 "  nnplayground validate model.npz", "validate")
    p.add_argument("file", metavar="FILE", help="preset .json or model .npz")

    _command(commands, "presets", "list the built-in presets",
             "  nnplayground presets", "presets")

    p = _command(commands, "gradcheck",
                 "compare back-propagation with finite differences for every parameter",
                 "  nnplayground gradcheck xor\n"
                 "  nnplayground gradcheck my-net.json --samples 2\n"
                 "\nThe check runs in float64 on the first N training samples, at the preset's\n"
                 "initial weights (or a model file's), except that all-zero biases get small\n"
                 "random values: a zero bias on a blank input region puts a ReLU exactly on\n"
                 "its kink, where finite differences and back-propagation rightly disagree.\n"
                 "A parameter over the tolerance at h=1e-4 is checked again at 1e-5 and 1e-6: a\n"
                 "step that crosses a ReLU or max-pool kink fakes a large error that a smaller\n"
                 "step removes, while a wrong gradient stays wrong. Every weight is nudged twice,\n"
                 "so big models take a while (mnist-cnn: 30-70 s, mnist-mlp: minutes).",
                 "gradcheck")
    p.add_argument("target", metavar="FILE|NAME", help="preset file, model .npz or built-in name")
    p.add_argument("--samples", type=_positive_int, default=4, metavar="N",
                   help="training samples in the checked batch (default: 4)")
    p.add_argument("--tolerance", type=_positive_float, default=GRADCHECK_TOLERANCE,
                   metavar="TOL", help="largest acceptable relative error (default: "
                                       f"{GRADCHECK_TOLERANCE:g}); exit 1 above it")
    _add_mnist(p)

    p = _command(commands, "export", "export a trained model to PyTorch, Keras or ONNX",
                 "  nnplayground export spiral.npz --format pytorch -o spiral.py\n"
                 "  nnplayground export cnn.npz --format onnx -o cnn.onnx\n"
                 "  nnplayground export mlp.npz --format keras -o mlp_keras.py\n"
                 "\npytorch and keras write a program (OUT.py) with the weights (and the\n"
                 "preset's data) in .npz files beside it; onnx writes one OUT.onnx (opset 17,\n"
                 "input 'input', output after the final activation).", "export")
    p.add_argument("model", metavar="MODEL.npz", help="a model saved by 'train --save' or the app")
    p.add_argument("--format", required=True, choices=["pytorch", "keras", "onnx"],
                   help="what to write")
    p.add_argument("-o", "--out", metavar="OUT",
                   help="the file to write (suffix added when missing; default: MODEL's name)")
    p.add_argument("--no-data", action="store_true",
                   help="pytorch/keras: do not write the preset's data beside the program")
    _add_mnist(p)

    p = _command(commands, "download-mnist", "download the full MNIST (about 11 MB) and verify it",
                 "  nnplayground download-mnist\n"
                 "  nnplayground download-mnist ~/datasets/mnist", "download_mnist")
    p.add_argument("dir", nargs="?", metavar="DIR",
                   help="where to put the files (default: the user data folder)")
    return parser
