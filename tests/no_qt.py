"""Running Python code in a fresh interpreter where Qt cannot be imported: the engine, data,
presets and export must work on a machine without it (the CLI and scripts run headless)."""

import subprocess
import sys

BLOCK_QT = """
import sys
class _BlockQt:
    def find_spec(self, name, path=None, target=None):
        if name.split('.')[0] in {'PySide6', 'pyqtgraph', 'shiboken6'}:
            raise ImportError('Qt is blocked in this test: ' + name)
        return None
sys.meta_path.insert(0, _BlockQt())
"""


def run_without_qt(code: str, *args: str) -> subprocess.CompletedProcess:
    """`code` run by `python -c` with any import of PySide6, pyqtgraph or shiboken6 failing;
    `args` are its sys.argv[1:]. The result's stdout and stderr are text."""
    return subprocess.run([sys.executable, "-c", BLOCK_QT + code, *args],
                          capture_output=True, text=True)
