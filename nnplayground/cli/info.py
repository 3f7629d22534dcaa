"""`validate`, `presets` and `download-mnist`: the commands that train nothing."""

from __future__ import annotations

import copy
import sys
import time
from pathlib import Path

from nnplayground.cli.common import MODEL_SUFFIX, note
from nnplayground.cli.errors import EXIT_INVALID, EXIT_OK, CliError, problems_of


def run_validate(args) -> int:
    """Exit 0 with `ok: ...` only for a file that will train: everything `train` and the GUI
    check runs here (the preset, a lesson's steps, the data loaded, the network built against
    it, the batch's memory, a model's weights loaded and one training step); else exit 2
    listing every problem found."""
    from nnplayground import presets

    path = Path(args.file)
    if not path.is_file():
        reason = "is a folder, not a file" if path.exists() else "no such file"
        return _invalid(path, [f"{reason}"])
    state = None
    try:
        if path.suffix.lower() == MODEL_SUFFIX:
            doc, state = presets.load_model(path)
            summary = _model_summary(doc, state)
        else:
            doc = presets.load_preset(path)
            summary = _preset_summary(doc)
    except presets.PresetError as exc:
        return _invalid(path, problems_of(exc) or [str(exc)])
    problems = lesson_problems(doc)
    if not problems:
        problems, remark = training_problems(doc, state, path.parent)
        summary += remark
    if problems:
        return _invalid(path, problems)
    print(f"ok: {path}: {summary}")
    return EXIT_OK


def lesson_problems(doc: dict) -> list[str]:
    """A lesson file's own problems (its steps and comparisons), as the GUI checks them."""
    if "lesson" not in doc:
        return []
    from nnplayground.lessons.catalog import lesson_problems as problems
    return list(problems(doc))


def training_problems(doc: dict, state, base_dir: Path) -> tuple[list[str], str]:
    """What stops `doc` (with a model file's `state`) from training: its data loaded from
    `base_dir`, the experiment built and one step taken, as `train` and the GUI do.
    Returns (problems, a remark for the ok line).

    A preset asking for the full MNIST that this machine does not have is checked on the
    bundled sample instead (train would download the full set; validate never does)."""
    from nnplayground.data import DatasetError, find_full_set
    from nnplayground.engine import DivergenceError
    from nnplayground.experiment import Experiment
    from nnplayground.presets import PresetError

    remark = ""
    dataset = doc["dataset"]
    if (dataset.get("kind") == "mnist" and dataset.get("source") == "full"
            and find_full_set("mnist", None) is None):
        doc = copy.deepcopy(doc)
        doc["dataset"]["source"] = "sample"
        remark = " (checked on the bundled MNIST sample: train will download the full set)"
    try:
        exp = Experiment.from_preset(doc, base_dir=base_dir)
        if state is not None:
            exp.model.load_state_dict(state)
        exp.trainer.step()
    except PresetError as exc:
        return problems_of(exc) or [str(exc)], remark
    except DatasetError as exc:
        text = " ".join(str(exc).split())
        field = "dataset.path" if dataset.get("kind") == "file" else "dataset"
        return [text if text.startswith("dataset.") else f"{field}: {text}"], remark
    except DivergenceError as exc:
        return [f"training: {' '.join(exp.divergence_message(exc).split())}"], remark
    return [], remark


def _invalid(path: Path, problems: list[str]) -> int:
    count = len(problems)
    if count == 1:
        print(f"nnplayground: error: {path}: {' '.join(problems[0].split())}", file=sys.stderr)
        return EXIT_INVALID
    print(f"nnplayground: error: {path}: {count} problems:", file=sys.stderr)
    for problem in problems:
        print(f"  {' '.join(problem.split())}", file=sys.stderr)
    return EXIT_INVALID


def _preset_summary(doc: dict) -> str:
    nodes = doc.get("model", {}).get("nodes", [])
    kind = doc.get("dataset", {}).get("kind", "?")
    return (f"preset {doc.get('name', '?')!r}: {len(nodes)} nodes, dataset {kind}, "
            f"loss {doc.get('loss', '?')}")


def _model_summary(doc: dict, state: dict) -> str:
    values = sum(int(getattr(a, "size", 0)) for a in state.values())
    return (f"trained model of preset {doc.get('name', '?')!r}: {len(state)} arrays, "
            f"{values:,} values")


def run_presets(args) -> int:
    """One line per built-in preset: its name, its title and the first sentence of its notes."""
    from nnplayground.presets import builtin_presets

    infos = list(builtin_presets())
    if not infos:
        raise CliError("no built-in presets found; the resources/presets folder is missing "
                       "from this installation")
    width = max(len(info.name) for info in infos)
    for info in infos:
        title = " ".join(str(info.title or "").split())
        summary = " ".join(str(getattr(info, "summary", "") or "").split())
        if summary:
            title = f"{title} - {summary}" if title else summary
        print(f"{info.name:<{width}}  {title}".rstrip())
    return EXIT_OK


class DownloadProgress:
    """Download progress on stderr: redrawn in place on a terminal, a line per file otherwise."""

    def __init__(self, stream=None):
        self.stream = stream or sys.stderr
        self.tty = self.stream.isatty()
        self._last = 0.0
        self._current = None

    def __call__(self, *args, **kwargs):
        name, done, total = _progress_fields(args, kwargs)
        if name != self._current:
            if self._current is not None and self.tty:
                self.stream.write("\n")
            self._current = name
            if not self.tty:
                self.stream.write(f"downloading {name}\n")
                self.stream.flush()
        if not self.tty:
            return
        now = time.monotonic()
        finished = total is not None and done is not None and done >= total
        if now - self._last < 0.1 and not finished:
            return
        self._last = now
        if total:
            text = f"\r{name}: {done / 1e6:.1f} / {total / 1e6:.1f} MB ({done / total:.0%})"
        elif done is not None:
            text = f"\r{name}: {done / 1e6:.1f} MB"
        else:
            text = f"\r{name}"
        self.stream.write(text + "\x1b[K")
        self.stream.flush()

    def close(self):
        if self._current is not None and self.tty:
            self.stream.write("\n")
            self.stream.flush()


def _progress_fields(args, kwargs):
    """(name, done, total) from the data package's `progress(done_bytes, total_bytes, filename)`
    (total 0 when the server does not say), tolerant of the order of the arguments."""
    name = next((a for a in args if isinstance(a, str)), kwargs.get("filename", "MNIST"))
    numbers = [a for a in args if not isinstance(a, str)]
    done = numbers[0] if numbers else kwargs.get("done")
    total = numbers[1] if len(numbers) > 1 else kwargs.get("total")
    return str(name), done, (total or None)


def run_download_mnist(args) -> int:
    from nnplayground.data import DatasetError, download_mnist

    if args.dir is not None and Path(args.dir).exists() and not Path(args.dir).is_dir():
        raise CliError(f"{args.dir}: exists and is not a folder", EXIT_INVALID)
    progress = DownloadProgress()
    try:
        folder = download_mnist(args.dir, progress=progress)
    except (DatasetError, OSError) as exc:  # no network, DNS, dropped connection, disk full
        reason = " ".join(str(getattr(exc, "reason", None) or exc).split())
        if not reason.startswith("could not download"):
            reason = f"could not download MNIST: {reason}"
        raise CliError(f"{reason}; check the network connection, "
                       "or copy the four .gz files by hand and pass their folder with --mnist "
                       "DIR") from exc
    finally:
        progress.close()
    note(f"MNIST is ready in {folder or args.dir}")
    return EXIT_OK
