"""Where the shipped data lives: the one lookup of the `resources/` folder.

Presets, lessons and the bundled MNIST sample are plain files in `resources/`, not package
data, so the same folder serves a source checkout, an editable install and a wheel (which
installs it as data files under `<prefix>/share/nnplayground/resources`). Every reader asks
`resources_dir()`, so the lookup order and its error message are the same everywhere.

Standard library only: the data, presets and lessons packages import this, and none of them
may pull in Qt or the engine through it.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

ENV_VAR = "NNPLAYGROUND_RESOURCES"
# The repository's copy, beside the package (source checkout or editable install).
SOURCE_DIR = Path(__file__).resolve().parent.parent / "resources"
# A folder is taken for ours only if it holds this, so a stray `site-packages/resources`
# left by some other distribution is never mistaken for it.
MARKER = "presets"


class ResourcesError(FileNotFoundError):
    """The resources folder is missing or the override points nowhere; the message says
    where it looked and what to do."""


def installed_dir() -> Path:
    """Where a wheel puts the data files (read from `sys.prefix` at call time, for venvs)."""
    return Path(sys.prefix) / "share" / "nnplayground" / "resources"


def resources_dir() -> Path:
    """The `resources/` folder: `$NNPLAYGROUND_RESOURCES`, else the repository's copy beside
    the package, else the installed copy under `sys.prefix`.

    The override is taken as given (a test or a frozen app may point it at a partial copy)
    but must be a folder: a typo there should fail loudly, not fall back silently to another
    copy. Raises ResourcesError naming every place it looked.
    """
    override = os.environ.get(ENV_VAR)
    if override:
        path = Path(override).expanduser()
        if not path.is_dir():
            raise ResourcesError(f"{ENV_VAR}={override!r} is not a folder; point it at "
                                 f"nnplayground's resources/ folder or unset it")
        return path
    candidates = (SOURCE_DIR, installed_dir())
    for path in candidates:
        if (path / MARKER).is_dir():
            return path
    looked = ", ".join(str(p) for p in candidates)
    raise ResourcesError(f"nnplayground's resources/ folder (presets, lessons, datasets) was "
                         f"not found; looked in {looked}. Reinstall nnplayground, or set "
                         f"{ENV_VAR} to a copy of the repository's resources/ folder")
