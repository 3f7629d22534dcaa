"""The check that runs before Qt: a missing X11 library gives a message, not Qt's abort."""

import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from nnplayground.cli import main, qt_platform
from nnplayground.cli.qt_platform import packages, platform_is_xcb, xcb_problem

README = Path(__file__).resolve().parents[2] / "README.md"
X11 = {"DISPLAY": ":0"}


def loads_all_but(*absent):
    return lambda soname: soname not in absent


@pytest.mark.parametrize("environ, xcb", [
    (X11, True),
    ({"DISPLAY": ":0", "QT_QPA_PLATFORM": "xcb"}, True),
    ({"DISPLAY": ":0", "QT_QPA_PLATFORM": "xcb:nograb"}, True),
    ({"QT_QPA_PLATFORM": "xcb"}, True),                  # Qt tries xcb even without DISPLAY
    ({"DISPLAY": ":0", "QT_QPA_PLATFORM": "offscreen"}, False),
    ({"DISPLAY": ":0", "QT_QPA_PLATFORM": "wayland"}, False),
    ({"DISPLAY": ":0", "XDG_SESSION_TYPE": "wayland", "WAYLAND_DISPLAY": "wayland-0"}, False),
    ({"DISPLAY": ":0", "XDG_SESSION_TYPE": "x11"}, True),
    ({}, False),
])
def test_the_check_runs_only_where_qt_will_use_xcb(environ, xcb):
    assert platform_is_xcb(environ) is xcb


def test_nothing_missing_means_no_problem():
    assert xcb_problem(X11, loads=loads_all_but()) is None


def test_a_missing_library_is_named_with_the_packages_that_install_it():
    message = xcb_problem(X11, loads=loads_all_but("libxcb-icccm.so.4", "libxcb-keysyms.so.1"))
    assert "libxcb-icccm.so.4, libxcb-keysyms.so.1" in message
    assert "'sudo apt install libxcb-icccm4 libxcb-keysyms1'" in message
    assert "'sudo dnf install xcb-util-wm xcb-util-keysyms'" in message
    assert "\n" not in message          # one paragraph


def test_fedora_names_a_package_once_for_several_of_its_libraries():
    message = xcb_problem(X11, loads=loads_all_but("libxcb-shape.so.0", "libxcb-xkb.so.1"))
    assert "'sudo dnf install libxcb'" in message


def test_offscreen_is_not_checked():
    assert xcb_problem({"QT_QPA_PLATFORM": "offscreen"}, loads=loads_all_but(
        "libxcb-cursor.so.0")) is None


def test_open_exits_with_the_message_before_qt_starts(monkeypatch, capsys):
    """`nnplayground` on a desktop without libxcb-cursor0: exit 1 and the message, and Qt is
    never asked (it would abort the process)."""
    from nnplayground.ui import app
    started = []
    monkeypatch.setattr(app, "run_app", lambda *a, **k: started.append(a) or 0)
    monkeypatch.delenv("QT_QPA_PLATFORM", raising=False)
    monkeypatch.delenv("XDG_SESSION_TYPE", raising=False)
    monkeypatch.setenv("DISPLAY", ":0")
    monkeypatch.setattr(qt_platform, "_loads", loads_all_but("libxcb-cursor.so.0"))
    assert main(["open", "xor"]) == 1
    err = capsys.readouterr().err
    assert err.startswith("nnplayground: error: the app cannot start") and err.count("\n") == 1
    assert "sudo apt install libxcb-cursor0" in err
    assert started == []


def test_qt_failing_to_import_names_the_missing_libraries(monkeypatch, capsys):
    """PySide6 itself needs libEGL and friends (even offscreen): without them the import
    fails, and the message names the packages too."""
    if not sys.platform.startswith("linux"):
        pytest.skip("the system libraries are Linux ones")
    monkeypatch.setenv("QT_QPA_PLATFORM", "offscreen")
    monkeypatch.setitem(sys.modules, "nnplayground.ui.app", None)     # the import fails
    monkeypatch.setattr(qt_platform, "_loads", loads_all_but("libEGL.so.1"))
    assert main(["open", "xor"]) == 1
    err = capsys.readouterr().err
    assert err.startswith("nnplayground: error: the app cannot start: ") and err.count("\n") == 1
    assert "missing (libEGL.so.1)" in err and "'sudo apt install libegl1'" in err
    assert "'sudo dnf install libglvnd-egl'" in err


def _command(text, tool):
    """The package names of README's `sudo <tool> install ...` command (backslash-continued)."""
    match = re.search(rf"sudo {tool} install ((?:\\\n|[^\n])+)", text)
    assert match, f"README.md has no 'sudo {tool} install' command"
    return match.group(1).replace("\\\n", " ").split()


def test_the_readme_names_exactly_the_packages_checked():
    text = README.read_text(encoding="utf-8")
    assert _command(text, "apt") == packages(system="debian")
    assert _command(text, "dnf") == packages(system="fedora")


@pytest.mark.skipif(not sys.platform.startswith("linux") or shutil.which("ldd") is None,
                    reason="reads the Linux xcb plugin's dependencies with ldd")
def test_the_list_covers_every_x11_library_the_plugin_links():
    """A PySide6 upgrade that links one more xcb library must add it to REQUIRED."""
    import PySide6

    plugin = Path(PySide6.__file__).parent / "Qt" / "plugins" / "platforms" / "libqxcb.so"
    if not plugin.is_file():
        pytest.skip("this PySide6 has no xcb plugin")
    out = subprocess.run(["ldd", str(plugin)], capture_output=True, text=True, check=True).stdout
    linked = {line.split()[0] for line in out.splitlines() if "=>" in line}
    x11 = {name for name in linked if re.match(r"lib(xcb|xkbcommon|X11)", name)}
    assert x11, out
    assert x11 <= {lib.soname for lib in qt_platform.REQUIRED}
