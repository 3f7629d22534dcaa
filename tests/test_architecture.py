"""The engine, data and presets packages must import without Qt available."""

from no_qt import run_without_qt


def test_engine_data_presets_import_without_qt():
    result = run_without_qt("import nnplayground.engine, nnplayground.data, nnplayground.presets\n"
                            "print('ok')\n")
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "ok"
