"""The user's own data: a CSV (`x1,x2,label` or `x1,x2,target`, header optional) or an .npz.

A file is read in two steps, so that the GUI's import dialog and `load_file` agree on every
message: `read_table(path)` reads the file's columns (a CSV's columns, an .npz's arrays) and
refuses a file with no rows or with ragged ones; `DataTable.select(inputs, target, task)` takes
the chosen columns as numbers and refuses text in them, labels that are not classes, and so on.
Errors give the file, the line number and the problem, because the file was most likely typed
or exported by hand and the user needs to find the bad line.

Columns are named by a CSV's header (or, in any CSV, by their number from 1) and by an .npz's
array names; by default the last column (the array `y`) is the target and the others (the
array `x`) are the inputs, as in the preset's `dataset.input_columns` and `dataset.target_column`.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass, field
from itertools import chain, islice
from pathlib import Path

import numpy as np

from .dataset import Dataset, DatasetError, split_indices
from .npz import read_npz_arrays

TASKS = ("classification", "regression")
FLOAT32_MAX = float(np.finfo(np.float32).max)   # training runs in float32: larger is infinity
MAX_INFERRED_CLASSES = 20   # whole-number targets 0-19 are guessed to be classes
TASK_BY_HEADER = {"label": "classification", "class": "classification",
                  "target": "regression"}
CHUNK_BYTES = 1 << 20       # a CSV is read 1 MiB (~10,000 rows) at a time: a read can stop
ROWS_PER_BLOCK = 8192       # rows turned into numbers at once
HEAD_ROWS = 100             # rows kept as text for a preview


def _number(text: str) -> float:
    try:
        return float(text)
    except ValueError:
        return float("nan")


def _is_text(cell: str) -> bool:
    """Not a number ("nan" and "inf" are numbers, if not finite ones)."""
    try:
        float(cell)
    except ValueError:
        return True
    return False


class ReadCancelled(Exception):
    """A read stopped between two chunks of the file because its `keep_going()` said no."""


def _always() -> bool:
    return True


def _text_lines(path: Path, keep_going=_always, chunk_bytes: int = CHUNK_BYTES):
    """The lines of a UTF-8 text file (a byte-order mark dropped), read `chunk_bytes` at a
    time. `keep_going()` is asked before each chunk is read; False raises ReadCancelled.

    A chunk is cut after its last newline, so no line and no character is split, and each
    chunk's decoding and splitting holds the interpreter's lock for a millisecond or so
    (a 50 MB file's at once held it for ~100 ms, a stall for every other thread)."""
    try:
        with open(path, "rb") as f:
            pending = b""               # the start of a line whose end is not read yet
            offset = 0                  # in the file, of `pending`
            while True:
                if not keep_going():
                    raise ReadCancelled(str(path))
                data = f.read(chunk_bytes)
                end = data.rfind(b"\n") + 1 if data else len(data)
                if data and not end:    # no line ends in this chunk: read on
                    pending += data
                    continue
                block, pending = pending + data[:end], data[end:]
                skip = 3 if offset == 0 and block.startswith(b"\xef\xbb\xbf") else 0
                try:
                    text = block[skip:].decode("utf-8")
                except UnicodeDecodeError as exc:
                    at = offset + skip + exc.start
                    raise DatasetError(f"{path}: not UTF-8 text (byte {at} is "
                                       f"{exc.object[exc.start]:#04x}); save the CSV as UTF-8 "
                                       "(plain numbers are ASCII, which is UTF-8)") from None
                yield from text.splitlines()
                offset += len(block)
                if not data:
                    return
    except OSError as exc:
        raise DatasetError(f"{path}: cannot read the file ({exc})") from exc


def csv_records(path, keep_going=_always, chunk_bytes: int = CHUNK_BYTES):
    """(line number, stripped cells) of each row of a CSV as it is read (`_text_lines`),
    skipping blank lines and lines starting with '#'. Raises DatasetError only when the file
    cannot be read as UTF-8 text, ReadCancelled when `keep_going()` says no."""
    lines = _text_lines(Path(path), keep_going, chunk_bytes)
    for line_no, row in enumerate(csv.reader(lines), start=1):
        cells = tuple([cell.strip() for cell in row])
        if cells and any(cells) and not cells[0].startswith("#"):
            yield line_no, cells


def csv_rows(path, limit: int | None = None) -> list[tuple[int, tuple[str, ...]]]:
    """The first `limit` rows (all by default) of `csv_records`; reading stops there."""
    return list(islice(csv_records(path), limit))


@dataclass(frozen=True, eq=False)
class DataTable:
    """A data file's columns, before any is chosen as inputs or target.

    columns: a CSV's header names ("column 1", ... without a header) or an .npz's array names.
    For a CSV, `values` is (rows, columns) float64 with NaN where a cell is not a number,
    `lines` (rows,) each row's line number, `head` the first HEAD_ROWS rows' text (a preview),
    and `odd` the text of each column's first cell that is not a finite number ("finite", i)
    or beyond float32 ("big", i), all that a message quotes; for an .npz, `arrays`.

    No per-row Python object is kept: half a million rows' cells as strings took ~400 MB,
    and freeing them ~100 ms on whichever thread dropped the table last (the GUI's).
    """

    path: Path
    format: str                      # "csv" or "npz"
    columns: tuple[str, ...]
    header: bool = False
    values: np.ndarray | None = None
    lines: np.ndarray | None = None
    head: tuple = ()
    odd: dict = field(default_factory=dict)
    arrays: dict = field(default_factory=dict)

    @property
    def n_rows(self) -> int:
        if self.format == "csv":
            return len(self.values)
        return min((len(a) for a in self.arrays.values()), default=0)

    def default_target(self):
        """The last column, or the array `y`."""
        if self.format == "npz":
            if "y" in self.arrays or len(self.columns) < 2:
                return "y"
            return self.columns[-1]
        return self.columns[-1] if self.header else len(self.columns)

    def default_inputs(self, target) -> list:
        """Every other column (the array `x` when there is one)."""
        target = self.index(target, "dataset.target_column")
        if self.format == "npz" and "x" in self.arrays and self.columns[target] != "x":
            return ["x"]
        return [self.reference(i) for i in range(len(self.columns)) if i != target]

    def reference(self, index: int):
        """How the preset names column `index`: its header name, else its number from 1."""
        return self.columns[index] if self.header or self.format == "npz" else index + 1

    def index(self, ref, where: str) -> int:
        """The 0-based index of a column named by `ref` (a name, or a number from 1)."""
        if isinstance(ref, (int, np.integer)) and not isinstance(ref, bool):
            if 1 <= ref <= len(self.columns):
                return int(ref) - 1
            raise DatasetError(f"{where}: column {ref} does not exist; {self.path.name} has "
                               f"{len(self.columns)} columns, numbered from 1")
        if ref in self.columns:
            return self.columns.index(ref)
        if self.format == "npz":
            raise DatasetError(f"{self.path}: missing array {ref}; the file needs arrays 'x' "
                               "(inputs) and 'y' (labels or targets), or name its arrays in "
                               f"{where}; found: {', '.join(self.columns) or 'none'}")
        have = (f"its columns are {', '.join(self.columns)}" if self.header else
                "it has no header, so name columns by number from 1")
        raise DatasetError(f"{where}: no column {ref!r} in {self.path.name}; {have}")

    def implied_task(self, index: int) -> str | None:
        """The task a CSV header names for the target column `index` (`label`, `class`:
        classification; `target`: regression), else None."""
        if self.format != "csv" or not self.header:
            return None
        return TASK_BY_HEADER.get(self.columns[index].lower())

    def preview(self, n: int = 20) -> list[list[str]]:
        """The first `n` rows as text, one string per column, for a table to show."""
        if self.format == "csv":
            return [list(row) for row in self.head[:n]]
        return [[_cell_text(self.arrays[name][i]) for name in self.columns]
                for i in range(min(n, self.n_rows))]

    def select(self, inputs=None, target=None, task=None):
        """The chosen columns as numbers: (x (N, ...) float64, y (N,) or (N, k), task, input
        names). `task` None guesses it from the header or the targets (`infer_task`).

        Raises DatasetError naming the line (CSV) or the array (.npz) of the first problem.
        """
        if task is not None and task not in TASKS:
            raise DatasetError(f"dataset.task: must be 'classification' or 'regression', "
                               f"got {task!r}")
        target = self.default_target() if target is None else target
        t = self.index(target, "dataset.target_column")
        refs = self.default_inputs(target) if inputs is None else list(inputs)
        if not refs:
            raise DatasetError("dataset.input_columns: choose at least one input column")
        cols = [self.index(ref, f"dataset.input_columns[{j}]") for j, ref in enumerate(refs)]
        if t in cols:
            raise DatasetError(f"dataset.input_columns[{cols.index(t)}]: column "
                               f"{self.columns[t]!r} is the target; the network cannot be "
                               "given the answer as an input")
        if self.format == "csv":
            x, y = self._csv_numbers(cols), self._csv_numbers([t])[:, 0]
            names = [self.columns[c] if self.header else f"x{k + 1}" for k, c in enumerate(cols)]
            implied = self.implied_task(t)
        else:
            x, y = self._npz_numbers(cols), self._npz_numbers([t], keep_shape=True)
            if len(x) != len(y):
                given = "+".join(self.columns[c] for c in cols)
                raise DatasetError(f"{self.path}: {given} has {len(x)} samples but "
                                   f"{self.columns[t]} has {len(y)}")
            names = [f"x{k + 1}" for k in range(x.shape[1])] if x.ndim == 2 else ["pixels"]
            implied = None
        task = task or implied or infer_task(y)
        if task == "classification":
            self._check_classes(y, t)
        return x, y, task, names

    # -- CSV --------------------------------------------------------------------------------
    def _csv_numbers(self, cols: list[int]) -> np.ndarray:
        data = self.values[:, cols]
        bad = ~np.isfinite(data)
        big = np.abs(np.where(bad, 0.0, data)) > FLOAT32_MAX
        for problem, what in ((bad, "finite"), (big, "big")):
            if problem.any():
                row, k = np.argwhere(problem)[0]
                col = cols[k]
                where = f"{self.path} line {self.lines[row]}, column {col + 1}"
                if self.header:
                    where += f" ({self.columns[col]})"
                cell = self.odd[what, col]      # the column's first such cell: this one
                if what == "finite":
                    raise DatasetError(f"{where}: {cell!r} is not a finite number; fix the "
                                       "line or leave the column out")
                raise DatasetError(f"{where}: {cell} is beyond the {FLOAT32_MAX:.3g} that "
                                   "training's 32-bit floats hold; rescale the column")
        return data

    # -- npz ---------------------------------------------------------------------------------
    def _npz_numbers(self, cols: list[int], keep_shape: bool = False) -> np.ndarray:
        chosen = [(self.columns[c], self.arrays[self.columns[c]]) for c in cols]
        for name, array in chosen:
            if not (np.issubdtype(array.dtype, np.number) or array.dtype == np.bool_):
                raise DatasetError(f"{self.path}: array {name!r} has dtype {array.dtype}; "
                                   "numbers needed")
            if array.ndim == 0 or len(array) == 0:
                raise DatasetError(f"{self.path}: array {name!r} is empty (shape "
                                   f"{array.shape})")
        first_name, first = chosen[0]
        for name, array in chosen[1:]:
            if len(array) != len(first):
                raise DatasetError(f"{self.path}: {first_name} has {len(first)} samples but "
                                   f"{name} has {len(array)}")
        for name, array in chosen:
            with np.errstate(over="ignore"):        # beyond float32 is infinity in training
                as32 = array.astype(np.float32)
            if not np.all(np.isfinite(as32)):
                if np.all(np.isfinite(array)):
                    raise DatasetError(f"{self.path}: array {name!r} holds values beyond the "
                                       f"{FLOAT32_MAX:.3g} that training's 32-bit floats hold; "
                                       "rescale the data")
                bad = int(np.argmax(~np.isfinite(array).reshape(len(array), -1).all(axis=1)))
                raise DatasetError(f"{self.path}: sample {bad} holds NaN or infinity (array "
                                   f"{name!r})")
        if len(chosen) == 1 and (keep_shape or first.ndim > 1):
            return first.astype(np.float64)
        return np.concatenate([a.reshape(len(a), -1) for _, a in chosen],
                              axis=1).astype(np.float64)

    def _check_classes(self, y: np.ndarray, t: int) -> None:
        """Classification labels: one whole number >= 0 per sample, checked by line."""
        fix = "labels must be whole numbers 0, 1, 2, ... (or choose regression)"
        if y.ndim != 1:
            raise DatasetError(f"{self.path}: array {self.columns[t]!r} has shape {y.shape}; "
                               f"classification needs one label per sample: {fix}")
        wrong = (y < 0) | (y != np.round(y))
        if wrong.any():
            row = int(np.argmax(wrong))
            where = (f"{self.path} line {self.lines[row]}" if self.format == "csv"
                     else f"{self.path}: sample {row} of {self.columns[t]!r}")
            raise DatasetError(f"{where}: label {y[row]:g} is not a class number; {fix}")


def _cell_text(value) -> str:
    value = np.asarray(value)
    if value.size > 6:
        return "array " + "\u00d7".join(map(str, value.shape))
    if value.ndim == 0:
        return f"{value.item():g}" if np.issubdtype(value.dtype, np.number) else str(value)
    return " ".join(_cell_text(v) for v in value.ravel())


def infer_task(y: np.ndarray) -> str:
    """Classification for one whole-number label per sample from 0 to 19, else regression."""
    if (y.ndim == 1 and len(y) and np.all(y == np.round(y)) and y.min() >= 0
            and y.max() < MAX_INFERRED_CLASSES):
        return "classification"
    return "regression"


def read_table(path, keep_going=_always, chunk_bytes: int = CHUNK_BYTES) -> DataTable:
    """The columns of a .csv or .npz file; DatasetError names the line of a ragged row and
    says so for a file without rows (`DataTable.select` reads the chosen columns).

    A CSV is read `chunk_bytes` at a time and `keep_going()` asked before each chunk: False
    stops the read with ReadCancelled (the import dialog's Cancel). An .npz is read whole."""
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix == ".npz":
        if not keep_going():
            raise ReadCancelled(str(path))
        arrays = read_npz_arrays(path)
        return DataTable(path, "npz", tuple(arrays), arrays=arrays)
    if suffix != ".csv":
        raise DatasetError(f"dataset.path: {path.name}: unsupported file type {suffix!r}; "
                           "use .csv (x1,x2,label) or .npz (arrays x and y)")
    records = csv_records(path, keep_going, chunk_bytes)
    first = next(records, None)
    header = None
    if first is not None and any(_is_text(c) for c in first[1]):
        line_no, header = first
        if len(header) < 2:
            raise DatasetError(f"{path} line {line_no}: the header names {len(header)} "
                               "column; expected inputs then a label or target, e.g. "
                               "x1,x2,label")
        first = next(records, None)
    if first is None:
        raise DatasetError(f"{path}: no data rows; expected lines like 0.5,-1.2,1")
    width = len(header) if header else len(first[1])
    if width < 2:
        raise DatasetError(f"{path} line {first[0]}: found 1 value; expected at least one "
                           "input and a label or target, e.g. 0.5,-1.2,1")
    columns = tuple(header) if header else tuple(f"column {i + 1}" for i in range(width))
    rows = chain([first], records)
    blocks, lines, head, odd = [], [], [], {}
    while block := list(islice(rows, ROWS_PER_BLOCK)):
        for line_no, cells in block:
            if len(cells) != width:
                raise DatasetError(f"{path} line {line_no}: expected {width} values, got "
                                   f"{len(cells)}")
        values = np.fromiter((_number(c) for _, cells in block for c in cells), np.float64,
                             count=len(block) * width).reshape(len(block), width)
        _note_odd_cells(odd, values, block)
        head.extend(cells for _, cells in block[:HEAD_ROWS - len(head)])
        lines.append(np.fromiter((n for n, _ in block), np.int64, count=len(block)))
        blocks.append(values)
    return DataTable(path, "csv", columns, header=header is not None,
                     values=np.concatenate(blocks), lines=np.concatenate(lines),
                     head=tuple(head), odd=odd)


def _note_odd_cells(odd: dict, values: np.ndarray, block: list) -> None:
    """Into `odd`: the text of each column's first cell not a finite number ("finite", i) or
    beyond float32 ("big", i), unless an earlier block had one."""
    finite = np.isfinite(values)
    with np.errstate(invalid="ignore"):
        big = finite & (np.abs(values) > FLOAT32_MAX)
    for what, problem in (("finite", ~finite), ("big", big)):
        for col in map(int, np.flatnonzero(problem.any(axis=0))):
            if (what, col) not in odd:
                odd[what, col] = block[int(np.argmax(problem[:, col]))][1][col]


def read_csv(path, task=None) -> tuple[np.ndarray, np.ndarray, list[str], str | None]:
    """A CSV's inputs (every column but the last) and its last column: (x float64 (N, d),
    y float64 (N,), input names, the task the header implies or None). With `task` (or a
    `label` header) "classification", every label is checked to be a class number, by line."""
    table = read_table(path)
    if table.format != "csv":
        raise DatasetError(f"{path}: not a .csv file")
    implied = table.implied_task(len(table.columns) - 1)
    x, y, _task, names = table.select(task=task or implied or "regression")  # no class check
    return x, y, names, implied


def load_file(path, task=None, train_fraction=0.8, seed=0, input_columns=None,
              target_column=None) -> Dataset:
    """Load a CSV or .npz file as a Dataset, shuffled with `seed` and split by train_fraction.

    task: "classification" or "regression"; None infers it from a CSV header (label/target) or
    from the targets (`infer_task`). input_columns, target_column: the columns to use (None:
    the defaults of `DataTable.select`).
    """
    path = Path(path).expanduser()
    # Folders resolved ("models/../data" -> "data") so messages name the real place; the file
    # itself is not, so a symlinked data file keeps the name the user gave it.
    path = path.absolute().parent.resolve() / path.name
    if not path.is_file():
        raise DatasetError(f"dataset.path: {path} does not exist or is not a file; a relative "
                           "path is relative to the preset or model file, so copy or move the "
                           "data there (keep the data folder beside the file), or set "
                           "dataset.path to where the data now is")
    if task is not None and task not in TASKS:
        raise DatasetError(f"dataset.task: must be 'classification' or 'regression', got {task!r}")
    table = read_table(path)
    x, y, task, names = table.select(input_columns, target_column, task)
    if task == "classification":
        y = y.astype(np.int64)
        n_classes = max(2, int(y.max()) + 1)
    else:
        y = y.astype(np.float32).reshape(len(y), -1)
        n_classes = None
    if len(x) < 2:
        raise DatasetError(f"{path}: only {len(x)} sample; at least 2 are needed to split "
                           "into training and test data")
    x = x.astype(np.float32)
    if x.ndim == 1:
        x = x[:, None]
    train, test = split_indices(len(x), train_fraction, np.random.default_rng(seed))
    note = f"From {path} ({len(x)} samples)."
    span = None
    # One or two input columns are points on a line or plane: name them x1, x2 so the GUI's
    # grid goes through `make_features` like the generated data.
    tabular = x.ndim == 2 and x.shape[1] <= 2
    if tabular:
        low, high = float(x.min()), float(x.max())
        pad = 0.1 * (high - low) or 1.0
        span = (low - pad, high + pad)
        plane_names = ["x1", "x2"][: x.shape[1]]
        if names != plane_names:
            note = f"From {path} ({len(x)} samples); columns {', '.join(names)} as " \
                   f"{', '.join(plane_names)}."
        names = plane_names
    return Dataset(
        name=path.name, task=task, x_train=x[train], y_train=y[train], x_test=x[test],
        y_test=y[test], n_classes=n_classes, input_shape=tuple(x.shape[1:]),
        feature_names=tuple(names), note=note,
        points_train=x[train] if tabular else None, points_test=x[test] if tabular else None,
        input_range=span, raw_features=tuple(names) if tabular else ())
