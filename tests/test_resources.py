"""The one lookup of the resources/ folder: override, repository copy, installed copy, error."""

import re
import subprocess
import sys

import pytest

from nnplayground import resources
from nnplayground.data import DatasetError, load_dataset
from nnplayground.lessons import LessonError, list_lessons
from nnplayground.presets import PresetError, builtin_names, load_builtin
from nnplayground.resources import ResourcesError, resources_dir


def make_copy(folder):
    (folder / "presets").mkdir(parents=True)
    return folder


@pytest.fixture
def places(tmp_path, monkeypatch):
    """A fake repository copy and a fake sys.prefix, both empty to begin with."""
    monkeypatch.delenv(resources.ENV_VAR, raising=False)
    source = tmp_path / "repo" / "resources"
    prefix = tmp_path / "prefix"
    monkeypatch.setattr(resources, "SOURCE_DIR", source)
    monkeypatch.setattr(sys, "prefix", str(prefix))
    return source, prefix / "share" / "nnplayground" / "resources"


def test_the_repository_copy_is_found_in_this_checkout(monkeypatch):
    monkeypatch.delenv(resources.ENV_VAR, raising=False)
    assert resources_dir() == resources.SOURCE_DIR
    assert (resources_dir() / "lessons" / "index.json").is_file()


def test_the_repository_copy_wins_over_the_installed_one(places):
    source, installed = places
    make_copy(installed)
    assert resources_dir() == installed
    make_copy(source)
    assert resources_dir() == source


def test_a_folder_without_presets_is_not_taken_for_ours(places):
    source, installed = places
    source.mkdir(parents=True)          # e.g. another distribution's site-packages/resources
    make_copy(installed)
    assert resources_dir() == installed


def test_the_override_wins_even_over_a_complete_copy(places, tmp_path, monkeypatch):
    make_copy(places[0])
    monkeypatch.setenv(resources.ENV_VAR, str(tmp_path / "mine"))
    with pytest.raises(ResourcesError, match="NNPLAYGROUND_RESOURCES=.*is not a folder; point"):
        resources_dir()
    (tmp_path / "mine").mkdir()         # taken as given: a partial copy is fine
    assert resources_dir() == tmp_path / "mine"


def test_nothing_found_names_every_place_looked_at_and_the_fix(places):
    source, installed = places
    with pytest.raises(ResourcesError) as info:
        resources_dir()
    text = str(info.value)
    assert str(source) in text and str(installed) in text
    assert "set NNPLAYGROUND_RESOURCES" in text


def test_every_reader_reports_a_missing_folder_in_its_own_error_type(places):
    with pytest.raises(PresetError, match="resources/ folder .* was not found"):
        load_builtin("xor")
    with pytest.raises(PresetError, match="was not found"):
        builtin_names()
    with pytest.raises(LessonError, match="was not found"):
        list_lessons()
    with pytest.raises(DatasetError, match="was not found"):
        load_dataset({"kind": "mnist", "source": "sample"})


def test_every_reader_follows_the_same_lookup(places, tmp_path):
    """Presets, lessons and the MNIST sample all come from the one folder found."""
    source, _ = places
    make_copy(source)
    (source / "presets" / "only.json").write_text("{}")
    (source / "lessons").mkdir()
    (source / "lessons" / "index.json").write_text(
        '{"lessons": [{"number": 1, "slug": "one", "title": "One", "file": "one.json"}]}')
    assert builtin_names() == ["only"]
    assert [i.path for i in list_lessons()] == [source / "lessons" / "one.json"]
    with pytest.raises(DatasetError, match="sample is missing: " + re.escape(str(source))):
        load_dataset({"kind": "mnist", "source": "sample"})


BLOCKED = """
import sys
class _Block:
    def find_spec(self, name, path=None, target=None):
        if name.split('.')[0] in {'PySide6', 'pyqtgraph', 'shiboken6'} or \\
                name.startswith('nnplayground.engine'):
            raise ImportError('blocked in this test: ' + name)
        return None
sys.meta_path.insert(0, _Block())
import nnplayground.resources, nnplayground.lessons.catalog
print(nnplayground.resources.resources_dir().name)
"""


def test_the_lookup_needs_neither_qt_nor_the_engine():
    result = subprocess.run([sys.executable, "-c", BLOCKED], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "resources"
