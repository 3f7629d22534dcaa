"""Can Qt's X11 platform plugin (xcb) load here? Asked before Qt is imported.

When a system library that the plugin links against is missing, Qt prints a hint naming one
of them and aborts the process (a core dump, no exit code a script can use). The wheel ships
Qt but not these X11 libraries, and a fresh Debian/Ubuntu desktop lacks a few of them
(libxcb-cursor0, libxcb-icccm4, libxcb-keysyms1), so `nnplayground` checks them first and
names every missing package at once.

`REQUIRED` is the one list of them: the README's Install section and .ci/run name the same
packages (tests/cli/test_qt_platform.py keeps them in step, and checks the list against what
PySide6's libqxcb.so actually links).
"""

from __future__ import annotations

import ctypes
import os
import sys
from dataclasses import dataclass


@dataclass(frozen=True)
class SystemLibrary:
    """A shared library Qt's xcb plugin links against, and the package that provides it."""

    soname: str
    debian: str    # Debian and Ubuntu
    fedora: str


# What libqxcb.so, libQt6XcbQpa.so, libQt6Gui.so and libQt6DBus.so link against (`readelf -d`
# on PySide6 6.11), beyond libc and libstdc++. On Debian bookworm these packages' dependencies
# bring every other library `ldd libqxcb.so` lists (zlib, freetype, libXau...).
REQUIRED = (
    SystemLibrary("libxcb.so.1", "libxcb1", "libxcb"),
    SystemLibrary("libxcb-cursor.so.0", "libxcb-cursor0", "xcb-util-cursor"),
    SystemLibrary("libxcb-icccm.so.4", "libxcb-icccm4", "xcb-util-wm"),
    SystemLibrary("libxcb-image.so.0", "libxcb-image0", "xcb-util-image"),
    SystemLibrary("libxcb-keysyms.so.1", "libxcb-keysyms1", "xcb-util-keysyms"),
    SystemLibrary("libxcb-randr.so.0", "libxcb-randr0", "libxcb"),
    SystemLibrary("libxcb-render.so.0", "libxcb-render0", "libxcb"),
    SystemLibrary("libxcb-render-util.so.0", "libxcb-render-util0", "xcb-util-renderutil"),
    SystemLibrary("libxcb-shape.so.0", "libxcb-shape0", "libxcb"),
    SystemLibrary("libxcb-shm.so.0", "libxcb-shm0", "libxcb"),
    SystemLibrary("libxcb-sync.so.1", "libxcb-sync1", "libxcb"),
    SystemLibrary("libxcb-util.so.1", "libxcb-util1", "xcb-util"),
    SystemLibrary("libxcb-xfixes.so.0", "libxcb-xfixes0", "libxcb"),
    SystemLibrary("libxcb-xkb.so.1", "libxcb-xkb1", "libxcb"),
    SystemLibrary("libX11.so.6", "libx11-6", "libX11"),
    SystemLibrary("libX11-xcb.so.1", "libx11-xcb1", "libX11-xcb"),
    SystemLibrary("libxkbcommon.so.0", "libxkbcommon0", "libxkbcommon"),
    SystemLibrary("libxkbcommon-x11.so.0", "libxkbcommon-x11-0", "libxkbcommon-x11"),
    SystemLibrary("libGL.so.1", "libgl1", "libglvnd-glx"),
    SystemLibrary("libEGL.so.1", "libegl1", "libglvnd-egl"),
    SystemLibrary("libfontconfig.so.1", "libfontconfig1", "fontconfig"),
    SystemLibrary("libdbus-1.so.3", "libdbus-1-3", "dbus-libs"),
    SystemLibrary("libglib-2.0.so.0", "libglib2.0-0", "glib2"),
)


def packages(libraries=REQUIRED, system: str = "debian") -> list[str]:
    """The distinct package names of `libraries` for "debian" or "fedora", in list order."""
    return list(dict.fromkeys(getattr(lib, system) for lib in libraries))


def platform_is_xcb(environ=os.environ) -> bool:
    """Will Qt pick the xcb plugin? It does when QT_QPA_PLATFORM is unset or "xcb" (options
    after a colon allowed) and the session is not a Wayland one, whose plugin Qt prefers."""
    requested = environ.get("QT_QPA_PLATFORM", "").split(":")[0].strip()
    if requested:
        return requested == "xcb"
    wayland = environ.get("XDG_SESSION_TYPE") == "wayland" and environ.get("WAYLAND_DISPLAY")
    return bool(environ.get("DISPLAY")) and not wayland


def _loads(soname: str) -> bool:
    try:
        ctypes.CDLL(soname)
    except OSError:
        return False
    return True


def missing_libraries(loads=None) -> list[SystemLibrary]:
    """The REQUIRED libraries the dynamic loader cannot find (so Qt's could not either).

    loads(soname) -> bool defaults to trying ctypes.CDLL; tests pass a fake."""
    loads = loads or _loads
    return [lib for lib in REQUIRED if not loads(lib.soname)]


def xcb_problem(environ=None, loads=None) -> str | None:
    """One paragraph naming the missing libraries and the commands that install them, or None
    when Qt will not use xcb or everything it needs is there."""
    if not sys.platform.startswith("linux"):
        return None
    if not platform_is_xcb(os.environ if environ is None else environ):
        return None
    missing = missing_libraries(loads)
    if not missing:
        return None
    return (f"the app cannot start: Qt's X11 platform plugin (xcb) {needs(missing)} "
            f"The headless commands (train, predict, validate...) work without them.")


def needs(missing) -> str:
    """'needs system libraries that are missing (...). Install them with ...' for `missing`."""
    names = ", ".join(lib.soname for lib in missing)
    return (f"needs system libraries that are missing ({names}). Install them with "
            f"'sudo apt install {' '.join(packages(missing, 'debian'))}' (Debian, Ubuntu) or "
            f"'sudo dnf install {' '.join(packages(missing, 'fedora'))}' (Fedora), then start "
            f"nnplayground again; README.md's Install section lists every package Qt needs.")


def import_problem(exc: ImportError, loads=None) -> str:
    """The message for Qt failing to import (PySide6 missing, or a library it links, such as
    libEGL, absent): the missing system libraries and their packages when that is the cause."""
    missing = missing_libraries(loads) if sys.platform.startswith("linux") else []
    advice = f" Qt {needs(missing)}" if missing else ""
    return (f"the app cannot start: {exc}.{advice} The headless commands (train, predict, "
            f"validate...) still work.")
