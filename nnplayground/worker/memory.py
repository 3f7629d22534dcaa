"""Hand the memory an epoch's evaluation freed back to the system (glibc's malloc_trim).

The evaluation at each epoch's end runs the network over batches of 500 images: temporaries of
tens of MB each. Once glibc's malloc has freed one such block, its dynamic mmap threshold rises
above that size, so later blocks come from the heap and stay there when freed: the process's
resident memory rose in a sawtooth over a long run (mnist-cnn in the main window: 520 to 630 MB
between minutes 5 and 28, soak_gui). `malloc_trim(0)` returns the free pages of every arena;
measured on mnist-cnn training in a thread, the resident memory between evaluations then stays
where it was after the first one. Elsewhere (macOS, Windows, another C library) it does nothing.
"""

from __future__ import annotations

import ctypes
import sys


def _find_malloc_trim():
    if not sys.platform.startswith("linux"):
        return None
    try:
        libc = ctypes.CDLL(None)        # the process's own C library
    except OSError:
        return None
    return getattr(libc, "malloc_trim", None)


_MALLOC_TRIM = _find_malloc_trim()


def release_free_memory() -> bool:
    """Return the C heap's free pages to the system; True when some were (glibc only). It
    releases the interpreter lock while it runs (a ctypes call), so the GUI does not wait."""
    if _MALLOC_TRIM is None:
        return False
    return bool(_MALLOC_TRIM(0))
