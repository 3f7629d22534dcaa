"""Export a trained network to PyTorch, Keras or ONNX (numpy and the `onnx` package; no Qt).

```python
from nnplayground.export import export_model, ExportError
doc, state = load_model("spiral.npz")            # or (doc, model.state_dict())
export_model(doc, state, "pytorch", "spiral.py")  # spiral.py, spiral_weights.npz
```
- "pytorch": OUT.py (an nn.Module of the same graph, a training loop with the preset's loss,
  optimizer, learning rate and batch size, DistributedDataParallel under torchrun) and
  OUT_weights.npz (torch state-dict names and layouts; plain arrays, no pickle).
- "keras": OUT.py (a keras.Sequential or functional program) and OUT_weights.npz.
- "onnx": OUT.onnx (opset 17, input "input" (batch, *input shape), output after the final
  activation).
With a `dataset` (nnplayground.data.Dataset), the code formats also get OUT_data.npz
(x_train, y_train, x_test, y_test) to train on.

What a format cannot express raises ExportError before anything is written; its `problems`
name each node and the reason.
"""

from __future__ import annotations

from pathlib import Path

from .graph import ExportError, ExportProblem, Graph

FORMATS = {"pytorch": ".py", "keras": ".py", "onnx": ".onnx"}
TITLES = {"pytorch": "PyTorch", "keras": "Keras", "onnx": "ONNX"}

__all__ = ["FORMATS", "TITLES", "ExportError", "ExportProblem", "check_export", "export_model",
           "output_path"]


def output_path(out, fmt):
    """`out` with the format's suffix added when it has another (or none)."""
    out = Path(out)
    suffix = FORMATS[fmt]
    return out if out.suffix == suffix else out.with_name(out.name + suffix)


def check_export(doc, fmt):
    """Raise ExportError if `doc`'s network cannot be exported to `fmt`; else return None."""
    if fmt not in FORMATS:
        raise ValueError(f"unknown export format {fmt!r}; choose one of {', '.join(FORMATS)}")
    Graph(doc["model"]).check(TITLES[fmt])
    if fmt == "keras":
        from .keras import keras_code
        keras_code(doc, weights_name="check.npz")


def export_model(doc, state, fmt, out, dataset=None) -> list[Path]:
    """Write `doc`'s network with the trained `state` ({"<node_id>/<name>": array}) as `fmt`
    to `out` (suffix added when missing) and the files beside it; return the paths written."""
    check_export(doc, fmt)
    out = output_path(out, fmt)
    graph = Graph(doc["model"])
    if fmt == "pytorch":
        from .pytorch import write_pytorch
        return write_pytorch(doc, state, out, dataset, graph)
    if fmt == "keras":
        from .keras import write_keras
        return write_keras(doc, state, out, dataset, graph)
    from .onnx_model import write_onnx
    write_onnx(doc, state, out, graph)
    return [out]
