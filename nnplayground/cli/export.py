"""`nnplayground export MODEL.npz --format pytorch|keras|onnx -o OUT`: a trained model as a
PyTorch or Keras program (with its weights and data beside it) or an ONNX file.

The export itself is `nnplayground.export`; this module reads the model file, loads the
preset's data for the code formats (never downloading: MNIST comes from a local full set or
the bundled sample) and reports the files written.
"""

from __future__ import annotations

from pathlib import Path

from nnplayground.cli.common import check_input_file, check_mnist_dir, note
from nnplayground.cli.errors import EXIT_INVALID, CliError, one_line


def run_export(args) -> int:
    from nnplayground.export import TITLES, ExportError, export_model, output_path
    from nnplayground.presets import PresetError, load_model

    model_path = check_input_file(args.model)
    if model_path.suffix.lower() != ".npz":
        raise CliError(f"{args.model}: export reads a trained model (.npz); train and save "
                       f"one first, e.g. nnplayground train {args.model} --save model.npz",
                       EXIT_INVALID)
    mnist_dir = check_mnist_dir(args.mnist)
    out = output_path(args.out or model_path.with_suffix(""), args.format)
    if not out.parent.is_dir():
        raise CliError(f"-o {args.out}: folder {out.parent} does not exist; create it or "
                       "write elsewhere", EXIT_INVALID)
    try:
        doc, state = load_model(model_path)
    except PresetError as exc:
        raise CliError(one_line(exc, subject=str(model_path)), EXIT_INVALID) from exc
    dataset = None
    if args.format != "onnx" and not args.no_data:
        dataset = _load_data(doc, mnist_dir, model_path.parent)
    try:
        written = export_model(doc, state, args.format, out, dataset)
    except ExportError as exc:      # one line: every node that stops the export, and why
        reasons = "; ".join(str(p) for p in exc.problems)
        raise CliError(f"{model_path}: cannot export to {TITLES[args.format]}: {reasons}",
                       EXIT_INVALID) from exc
    for path in written:
        note(f"wrote {path}")
    if args.format == "pytorch":
        note(f"train on with: python {written[0]}  (or torchrun --nproc_per_node=N "
             f"{written[0]} for several GPUs)")
    return 0


def _load_data(doc, mnist_dir, base_dir):
    """The preset's dataset, or None (with a note saying why) when it cannot be read here."""
    from nnplayground.data import DatasetError, load_dataset

    spec = dict(doc.get("dataset") or {})
    if spec.get("source") == "full":
        spec["source"] = "auto"          # an export never downloads
    try:
        dataset = load_dataset(spec, mnist_dir=mnist_dir, base_dir=Path(base_dir))
    except DatasetError as exc:
        note(f"the data is not written ({one_line(exc)}); the program says where to put it")
        return None
    if getattr(dataset, "note", ""):
        note(dataset.note)
    return dataset
