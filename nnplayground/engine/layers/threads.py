"""Splitting the big copy-and-add loops of convolution and pooling over the CPU cores.

numpy runs its ufunc loops and strided copies without holding the GIL, so two threads that
each take half of the channels really do run at once. Only the layers' own loops use this
(im2col, col2im, pooling); matrix products are already threaded by BLAS. Every thread writes
its own channels of the output, so results are bit-identical whatever the thread count.

The thread count follows NNPLAYGROUND_THREADS, else OMP_NUM_THREADS / OPENBLAS_NUM_THREADS
(the variables that size BLAS), else the number of CPUs this process may use.
"""

import os
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
    global _pool
    n = min(THREADS, channels)
    if n <= 1 or work < MIN_WORK:
        fn(0, channels)
        return
    if _pool is None:
        _pool = ThreadPoolExecutor(max_workers=THREADS - 1, thread_name_prefix="nnp-engine")
    bounds = [channels * k // n for k in range(n + 1)]
    futures = [_pool.submit(fn, bounds[k], bounds[k + 1]) for k in range(1, n)]
    fn(bounds[0], bounds[1])          # the calling thread takes the first share
    for f in futures:
        f.result()
