"""Splitting the big loops of convolution and pooling over the CPU cores.

numpy runs its ufunc loops, strided copies and matrix products without holding the GIL, so two
threads that each take half of the work really do run at once. Two ways to split:

- `over_channels`: the copy-and-add loops of im2col, col2im and pooling, one share of the
  channels per thread. Every thread writes its own channels, so results are bit-identical
  whatever the thread count.
- `over_parts`: a whole convolution, one part of the batch per thread (im2col, matrix products,
  activation, col2im). BLAS is held to one thread meanwhile: on 2 cores, letting BLAS split each
  product as well made a mnist-cnn step 27 ms, splitting the batch instead 21 ms (OpenBLAS's
  own setter, found through threadpoolctl; with another BLAS the parts run one after the other
  on its threads). The caller chooses the parts from the sizes alone, never from the thread
  count, so the numbers are the same on any machine: the thread count only decides who
  computes which part.

The thread count follows NNPLAYGROUND_THREADS, else OMP_NUM_THREADS / OPENBLAS_NUM_THREADS
(the variables that size BLAS), else the number of CPUs this process may use.
"""

import contextlib
import ctypes
import itertools
import os
import threading
from concurrent.futures import ThreadPoolExecutor

MIN_WORK = 1 << 17     # elements: below this, handing work to a thread costs more than it saves


def _thread_count():
    for var in ("NNPLAYGROUND_THREADS", "OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS"):
        value = os.environ.get(var, "")
        if value.isdigit() and int(value) > 0:
            return int(value)
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:      # not on Linux
        return os.cpu_count() or 1


THREADS = _thread_count()
_pool = None


def over_channels(fn, channels, work):
    """Call fn(c0, c1) on consecutive slices covering range(channels): in THREADS threads when
    `work` (elements touched) is large, else once in the calling thread."""
    n = min(THREADS, channels)
    if n <= 1 or work < MIN_WORK or getattr(_local, "inside_part", False):
        fn(0, channels)
        return
    bounds = [channels * k // n for k in range(n + 1)]
    futures = [_executor().submit(fn, bounds[k], bounds[k + 1]) for k in range(1, n)]
    fn(bounds[0], bounds[1])          # the calling thread takes the first share
    for f in futures:
        f.result()


def over_parts(fn, count):
    """Call fn(k) for k in range(count), the parts shared out between THREADS threads while
    BLAS runs single-threaded; in order in the calling thread when there is one thread, when
    BLAS cannot be limited, or when called from inside a part."""
    n = min(THREADS, count)
    if n <= 1 or getattr(_local, "inside_part", False):
        limit = None
    elif getattr(_local, "blas_held", False):
        limit = contextlib.nullcontext()      # a whole pass already holds BLAS to one thread
    elif _blas_thread_functions():
        limit = blas_held_for_parts()
    else:
        limit = None        # BLAS cannot be held: parts in parallel would fight its threads
    if limit is None:
        for k in range(count):
            fn(k)
        return

    def run(first):
        _local.inside_part = True      # a part's own loops stay in its thread (no nesting)
        try:
            for k in range(first, count, n):
                fn(k)
        finally:
            _local.inside_part = False

    with limit:
        futures = [_executor().submit(run, t) for t in range(1, n)]
        try:
            run(0)
        finally:
            for f in futures:
                f.result()


@contextlib.contextmanager
def blas_held_for_parts():
    """Hold BLAS to one thread for a whole forward or backward pass of a model that has
    convolutions split by `over_parts`. Switching OpenBLAS from 2 threads to 1 and back around
    each convolution cost more than the split saved (a conv forward took 11 ms instead of 4):
    its threads must be woken and parked each time. Re-entrant. Held with one engine thread
    too: the products then run on one BLAS thread either way, so the numbers do not depend on
    the thread count (a BLAS left at 2 threads summed dW in another order)."""
    if getattr(_local, "blas_held", False) or not _hold_blas():
        yield
        return
    _local.blas_held = True
    try:
        yield
    finally:
        _local.blas_held = False
        _release_blas()


_local = threading.local()


def _executor():
    global _pool
    with _hold_lock:                  # two training threads may ask first at the same time
        if _pool is None:
            _pool = ThreadPoolExecutor(max_workers=THREADS - 1,
                                       thread_name_prefix="nnp-engine")
        return _pool


_hold_lock = threading.RLock()
_holders = 0          # threads (the GUI's trainer, a lesson's comparison) holding BLAS now
_blas = None          # [(get, set)] of the process's OpenBLAS libraries, once looked up
_original = []


def _hold_blas():
    """Limit BLAS to one thread for the whole process until the last holder releases it; True
    when held (False when numpy's BLAS cannot be limited). Counted, not nested per thread: two
    training threads that each set and restored the limit would restore each other's, and
    could leave BLAS on one thread for good."""
    global _holders, _original
    with _hold_lock:
        functions = _blas_thread_functions()
        if not functions:
            return False
        if _holders == 0:
            _original = [get() for get, _ in functions]
            for _, set_threads in functions:
                set_threads(1)
        _holders += 1
        return True


def _release_blas():
    global _holders
    with _hold_lock:
        _holders -= 1
        if _holders == 0:
            for (_, set_threads), count in zip(_blas_thread_functions(), _original):
                set_threads(count)


def _blas_thread_functions():
    """OpenBLAS's own get/set of its thread count, found through threadpoolctl's list of the
    loaded libraries. Called directly rather than through threadpoolctl's limits, which
    ignore a thread other than the first one that set them: the GUI trains in a worker thread
    (measured: the limit silently did nothing there, 31 ms a step instead of 23). Other BLAS
    builds (MKL, Accelerate) get no hold, and the batch parts then run one after the other."""
    global _blas
    with _hold_lock:
        if _blas is None:
            _blas = _find_blas_thread_functions()
        return _blas


def _find_blas_thread_functions():
    found = []
    try:
        from threadpoolctl import threadpool_info
    except ImportError:
        return found
    for info in threadpool_info():
        if info.get("internal_api") != "openblas":
            continue
        try:
            lib = ctypes.CDLL(info["filepath"])
        except OSError:
            continue
        for prefix, suffix in itertools.product(("", "scipy_"), ("", "64_", "_64")):
            get = getattr(lib, f"{prefix}openblas_get_num_threads{suffix}", None)
            set_threads = getattr(lib, f"{prefix}openblas_set_num_threads{suffix}", None)
            if get is not None and set_threads is not None:
                found.append((get, set_threads))
                break
    return found
