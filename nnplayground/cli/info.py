"""`validate`, `presets` and `download-mnist`: the commands that train nothing."""

from __future__ import annotations

import sys
import time
from pathlib import Path

from nnplayground.cli.common import MODEL_SUFFIX, note
from nnplayground.cli.errors import EXIT_INVALID, EXIT_OK, CliError, problems_of


def run_validate(args) -> int:
    """Exit 0 with `ok: ...` for a usable file, else exit 2 listing every problem found."""
    from nnplayground import presets

    path = Path(args.file)
    if not path.is_file():
        reason = "is a folder, not a file" if path.exists() else "no such file"
        return _invalid(path, [f"{reason}"])
    try:
        if path.suffix.lower() == MODEL_SUFFIX:
            doc, state = presets.load_model(path)
            summary = _model_summary(doc, state)
        else:
            doc = presets.load_preset(path)
            summary = _preset_summary(doc)
    except presets.PresetError as exc:
        return _invalid(path, problems_of(exc) or [str(exc)])
    print(f"ok: {path}: {summary}")
    return EXIT_OK


def _invalid(path: Path, problems: list[str]) -> int:
    count = len(problems)
    print(f"nnplayground: error: {path}: {count} problem{'s' if count != 1 else ''}:",
          file=sys.stderr)
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
    """One line per built-in preset: its name, then its title."""
    from nnplayground.presets import builtin_presets

    infos = list(builtin_presets())
    if not infos:
        raise CliError("no built-in presets found; the resources/presets folder is missing "
                       "from this installation")
    width = max(len(info.name) for info in infos)
    for info in infos:
        title = " ".join(str(info.title or "").split())
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
    """(name, done, total) from whatever the data package's progress callback passes."""
    if len(args) == 1 and not kwargs and isinstance(args[0], str):
        return args[0], None, None
    if len(args) >= 3:
        return str(args[0]), args[1], args[2]
    if len(args) == 2:
        return "MNIST", args[0], args[1]
    name = kwargs.get("name") or kwargs.get("file") or "MNIST"
    return str(name), kwargs.get("done"), kwargs.get("total")


def run_download_mnist(args) -> int:
    from nnplayground.data import download_mnist

    if args.dir is not None and Path(args.dir).exists() and not Path(args.dir).is_dir():
        raise CliError(f"{args.dir}: exists and is not a folder", EXIT_INVALID)
    progress = DownloadProgress()
    try:
        folder = download_mnist(args.dir, progress=progress)
    except OSError as exc:  # no network, DNS, refused or dropped connection, disk full
        reason = " ".join(str(getattr(exc, "reason", None) or exc).split())
        raise CliError(f"could not download MNIST: {reason}; check the network connection, "
                       "or copy the four .gz files by hand and pass their folder with --mnist "
                       "DIR") from exc
    finally:
        progress.close()
    note(f"MNIST is ready in {folder or args.dir}")
    return EXIT_OK
