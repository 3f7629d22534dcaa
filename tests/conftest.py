"""Suite-wide test settings.

Tests train real (small) networks. On a shared 2-core machine a multi-threaded BLAS fights the
other processes and runs ~15x slower than one thread (measured: 1.97 s against 0.11 s for one
MNIST epoch), and one thread also makes float results independent of the core count. This file
is imported before any test module imports numpy, so the setting takes effect.
"""

import os

for _var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")
