"""Keeping freed memory for the next training step instead of handing it back to the system.

A conv net's training step allocates and frees tens of megabytes of temporaries (im2col
columns, products, pooled maps, gradients). With glibc's default settings those large blocks go
back to the operating system when freed and come back page by page at the next step, each page
faulted in and zeroed by the kernel: for bench_mnist's CNN, 8 ms of system time in a 26 ms step
(one thread, measured with os.times; the matrix products take 6). Raising glibc's thresholds
keeps freed blocks in the process for the next step to reuse: the same step then takes 17 ms
and no system time, and its numbers are the same (only where the memory comes from changes).

The price: the process keeps up to `KEEP_BYTES` of freed memory instead of returning it, so its
resident size stays near its peak while it trains. Blocks larger than `HEAP_BYTES` (an
evaluation's im2col of 500 images) are still mapped and returned one by one.

Only glibc has these settings (mallopt); elsewhere nothing changes.
"""

import ctypes
import threading

HEAP_BYTES = 64 << 20      # blocks up to this size come from the heap, reused once freed
KEEP_BYTES = 256 << 20     # freed memory kept at the top of the heap before any goes back
M_TRIM_THRESHOLD, M_MMAP_THRESHOLD = -1, -3     # glibc's mallopt parameter numbers

_done = None
_lock = threading.Lock()


def keep_freed_memory():
    """Ask glibc once per process to keep freed blocks for reuse (see the module docstring);
    True when it agreed, False where the C library has no mallopt."""
    global _done
    with _lock:
        if _done is None:
            _done = _set_thresholds()
        return _done


def _set_thresholds():
    try:
        mallopt = ctypes.CDLL(None).mallopt
    except (OSError, AttributeError):     # not glibc (macOS, Windows, musl)
        return False
    mallopt.argtypes = [ctypes.c_int, ctypes.c_int]
    mallopt.restype = ctypes.c_int
    return bool(mallopt(M_MMAP_THRESHOLD, HEAP_BYTES)) and bool(mallopt(M_TRIM_THRESHOLD,
                                                                         KEEP_BYTES))
