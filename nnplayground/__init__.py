"""nnplayground: a desktop neural-network playground built on a small numpy engine."""

__version__ = "0.1.0"
