"""Work around a reference-counting bug of PySide6 6.12 on Python 3.11.

Every call of a C++ method returning void (QPainter.setPen, QPainter.save, ...) drops one
reference to `None` too many. Python 3.12+ makes None immortal, so nothing happens there; on
3.11 None's count (about 16,000 at start-up) reaches zero after a few seconds of pyqtgraph
painting and the interpreter aborts with "Fatal Python error: none_dealloc". Giving None (and,
for safety, True and False) a huge extra count makes them as good as immortal, which is exactly
what Python 3.12 does. Remove this module once PySide6 is fixed or Python 3.11 is dropped.
"""

from __future__ import annotations

import ctypes
import sys

_EXTRA = 1 << 40        # ~10^12 references: centuries of painting at millions of calls a second
_done = False


def make_singletons_immortal():
    """Idempotent; a no-op on Python >= 3.12 where these objects are immortal already."""
    global _done
    if _done or sys.version_info >= (3, 12) or sys.implementation.name != "cpython":
        return
    if hasattr(sys, "gettotalrefcount"):
        return    # a debug build: ob_refcnt is not the first field there, and it has no bug
    for obj in (None, True, False):
        # ob_refcnt is the first field of every PyObject in release builds of CPython.
        ctypes.c_ssize_t.from_address(id(obj)).value += _EXTRA
    _done = True
