"""Data tests run isolated from the machine: no real user data folder, no MNIST env vars."""

import pytest

from nnplayground.data import mnist


@pytest.fixture(autouse=True)
def isolated_mnist_lookup(tmp_path_factory, monkeypatch):
    """Keep tests independent of the user's data folder and environment variables."""
    user = tmp_path_factory.mktemp("user-data")
    monkeypatch.setattr(mnist, "user_mnist_dir", lambda kind="mnist": user / kind)
    for var in mnist.ENV_VARS.values():
        monkeypatch.delenv(var, raising=False)
    monkeypatch.delenv("NNPLAYGROUND_RESOURCES", raising=False)
    # source "full" downloads when the set is missing: never from the internet in a test
    from nnplayground.data import download
    monkeypatch.setattr(download, "MIRRORS", ("http://127.0.0.1:9/",))
    return user
