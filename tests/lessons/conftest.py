"""Lesson tests train real (small) networks. On the shared 2-core machine a multi-threaded BLAS
fights the other processes and runs ~15x slower than one thread (measured: 1.97 s against
0.11 s for one MNIST epoch of lesson 9), so the tests ask for one BLAS thread - effective when
numpy has not been imported yet, as when this folder is run on its own."""

import os

for _var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")
