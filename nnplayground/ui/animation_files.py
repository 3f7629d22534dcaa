"""Animated GIF and MP4 files from frames (numpy and imageio only, no Qt).

GIF goes through Pillow (each frame quantised to 256 colours with its fast octree, 5x faster
than the default median cut and smaller files), MP4 through imageio-ffmpeg (H.264, which
needs even frame sizes). Both are written to a temporary file beside the target and renamed, so a failed
write never leaves half a file.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

FORMATS = {".gif": "GIF", ".mp4": "MP4"}


class RecordingError(RuntimeError):
    """An animation could not be made or written; the message says why and what to do."""


def check_path(path) -> str:
    """The format name of an animation path ("GIF" or "MP4"), or RecordingError saying what
    is wrong with it."""
    path = Path(path)
    kind = FORMATS.get(path.suffix.lower())
    if kind is None:
        raise RecordingError(f"{path}: an animation is saved as .gif or .mp4, not "
                             f"{path.suffix or 'a name without extension'}; add .gif or .mp4")
    if not path.parent.is_dir():
        raise RecordingError(f"{path}: folder {path.parent} does not exist; create it or "
                             f"choose another")
    return kind


def write_animation(path, frames, fps: float) -> None:
    """Write frames (a list of (H, W, 3) uint8 arrays, one size) as a GIF or MP4, atomically."""
    import imageio.v2 as imageio

    kind = check_path(path)
    if not frames:
        raise RecordingError(f"{path}: no frames to write; train (or record) first")
    path = Path(path)
    fd, tmp = tempfile.mkstemp(prefix=".nnp-", suffix=path.suffix, dir=path.parent)
    os.close(fd)
    try:
        if kind == "GIF":
            _write_gif(tmp, frames, fps)
        else:
            writer = imageio.get_writer(tmp, format="FFMPEG", fps=fps, codec="libx264",
                                        quality=7, macro_block_size=2,
                                        ffmpeg_log_level="error")
            with writer:
                for frame in frames:
                    writer.append_data(frame)
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(tmp, 0o666 & ~umask)      # as open() would have made it, not mkstemp's 0600
        os.replace(tmp, path)
    except Exception as exc:
        Path(tmp).unlink(missing_ok=True)
        if isinstance(exc, RecordingError):
            raise
        raise RecordingError(f"{path}: could not write the {kind}: {exc}") from exc


def _write_gif(path, frames, fps):
    from PIL import Image

    images = [Image.fromarray(f).quantize(256, method=Image.Quantize.FASTOCTREE)
              for f in frames]
    images[0].save(path, format="GIF", save_all=True, append_images=images[1:],
                   duration=1000.0 / fps, loop=0)
