"""The user's CSV and .npz files: parsing, task inference, and errors with line numbers."""

import numpy as np
import pytest

from nnplayground.data import DatasetError, load_dataset, load_file


def write(tmp_path, text, name="data.csv"):
    path = tmp_path / name
    path.write_text(text)
    return path


def test_csv_with_label_header_is_classification(tmp_path):
    rows = "\n".join(f"{i * 0.1:.1f},{-i * 0.2:.1f},{i % 3}" for i in range(20))
    path = write(tmp_path, "x1,x2,label\n" + rows + "\n")
    ds = load_dataset({"kind": "file", "path": str(path), "train_fraction": 0.5})
    assert ds.task == "classification" and ds.n_classes == 3
    assert ds.feature_names == ("x1", "x2") and ds.input_shape == (2,)
    assert len(ds.x_train) == 10 and len(ds.x_test) == 10
    assert ds.y_train.dtype == np.int64 and ds.x_train.dtype == np.float32
    # every row survives the shuffle with its own label
    x = np.concatenate([ds.x_train, ds.x_test])
    y = np.concatenate([ds.y_train, ds.y_test])
    order = np.argsort(x[:, 0])
    np.testing.assert_array_equal(y[order], np.arange(20) % 3)
    np.testing.assert_allclose(x[order, 1], -0.2 * np.arange(20), atol=1e-6)


def test_csv_with_target_header_is_regression(tmp_path):
    path = write(tmp_path, "a,b,target\n1,2,0.5\n3,4,1\n5,6,2\n7,8,1.5\n# comment\n\n")
    ds = load_file(path, train_fraction=0.5)
    assert ds.task == "regression" and ds.n_classes is None
    assert ds.y_train.shape == (2, 1) and ds.y_train.dtype == np.float32
    assert ds.feature_names == ("x1", "x2") and "columns a, b as x1, x2" in ds.note
    assert ds.input_range[0] < 1 and ds.input_range[1] > 8
    np.testing.assert_array_equal(ds.points_train, ds.x_train)


def test_csv_without_header_infers_the_task(tmp_path):
    ints = write(tmp_path, "0.5,1.5,1\n-0.5,0.2,0\n0.1,0.1,1\n0.3,0.9,0\n", "ints.csv")
    assert load_file(ints).task == "classification"
    reals = write(tmp_path, "0.5,1.5,0.25\n-0.5,0.2,0.75\n0.1,0.1,1\n", "reals.csv")
    assert load_file(reals).task == "regression"
    assert load_file(ints, task="regression").task == "regression"


def test_same_seed_same_split(tmp_path):
    path = write(tmp_path, "".join(f"{i},{i},{i % 2}\n" for i in range(50)))
    a, b = load_file(path, seed=4), load_file(path, seed=4)
    c = load_file(path, seed=5)
    np.testing.assert_array_equal(a.x_train, b.x_train)
    assert not np.array_equal(a.x_train, c.x_train)
    assert len(a.x_train) == 40  # default train fraction for files: 0.8


@pytest.mark.parametrize("text, words", [
    ("x1,x2,label\n1,2,0\n3,4\n", ["line 3", "expected 3 values, got 2"]),
    ("1,2,0\n3,abc,1\n", ["line 2, column 2", "'abc' is not a finite number"]),
    ("1,2,0\n3,nan,1\n", ["line 2, column 2", "finite"]),
    ("x1,x2,label\n1,2,0\n\n3,4,1.5\n", ["line 4", "label 1.5 is not a class number"]),
    ("x1,x2,label\n1,2,-1\n", ["line 2", "label -1"]),
    ("x1,x2,label\n", ["no data rows"]),
    ("", ["no data rows"]),
    ("5\n6\n", ["line 1", "found 1 value"]),
])
def test_csv_errors_give_the_line_and_the_problem(tmp_path, text, words):
    path = write(tmp_path, text)
    with pytest.raises(DatasetError) as info:
        load_file(path)
    for word in words:
        assert word in str(info.value)
    assert str(path) in str(info.value)


def test_explicit_classification_checks_labels_by_line(tmp_path):
    path = write(tmp_path, "1,2,0\n3,4,0.5\n")
    with pytest.raises(DatasetError, match="line 2: label 0.5"):
        load_file(path, task="classification")


def test_npz_file_with_x_and_y(tmp_path):
    rng = np.random.default_rng(0)
    x, y = rng.normal(size=(30, 3)), rng.integers(0, 4, 30)
    np.savez(tmp_path / "d.npz", x=x, y=y)
    ds = load_dataset({"kind": "file", "path": str(tmp_path / "d.npz"), "seed": 1})
    assert ds.task == "classification" and ds.n_classes == 4 and ds.input_shape == (3,)
    assert ds.feature_names == ("x1", "x2", "x3") and ds.points_train is None
    assert len(ds.x_train) == 24
    images = rng.random((10, 1, 8, 8))
    np.savez(tmp_path / "img.npz", x=images, y=rng.normal(size=10))
    ds = load_file(tmp_path / "img.npz")
    assert ds.task == "regression" and ds.input_shape == (1, 8, 8) and ds.y_train.shape[1] == 1


@pytest.mark.parametrize("arrays, message", [
    ({"x": np.zeros((3, 2))}, "missing array y"),
    ({"x": np.zeros((3, 2)), "y": np.zeros(4)}, "x has 3 samples but y has 4"),
    ({"x": np.array([[1.0, np.inf]]), "y": np.zeros(1)}, "sample 0 holds NaN or infinity"),
    ({"x": np.array(["a", "b"]), "y": np.zeros(2)}, "dtype"),
    ({"x": np.array([object(), object()]), "y": np.zeros(2)}, "without pickles"),
])
def test_npz_errors(tmp_path, arrays, message):
    np.savez(tmp_path / "bad.npz", **arrays)
    with pytest.raises(DatasetError, match=message):
        load_file(tmp_path / "bad.npz")


def test_missing_file_and_unsupported_type(tmp_path):
    with pytest.raises(DatasetError, match="does not exist"):
        load_dataset({"kind": "file", "path": str(tmp_path / "nope.csv")})
    path = write(tmp_path, "{}", "data.json")
    with pytest.raises(DatasetError, match="unsupported file type '.json'"):
        load_file(path)
    with pytest.raises(DatasetError, match="dataset.path"):
        load_dataset({"kind": "file"})
    with pytest.raises(DatasetError, match="dataset.task"):
        load_file(write(tmp_path, "1,2,0\n3,4,1\n"), task="clustering")


@pytest.mark.parametrize("damage", ["truncate", "corrupt"])
def test_truncated_or_corrupt_npz_is_a_dataset_error_naming_the_file(tmp_path, damage):
    np.savez(tmp_path / "d.npz", x=np.zeros((10, 2)), y=np.zeros(10))
    data = bytearray((tmp_path / "d.npz").read_bytes())
    if damage == "truncate":
        data = data[: len(data) // 2]
    else:
        data[100:140] = b"\xff" * 40  # inside x.npy: the CRC no longer matches
    (tmp_path / "d.npz").write_bytes(bytes(data))
    with pytest.raises(DatasetError) as info:
        load_file(tmp_path / "d.npz")
    assert str(tmp_path / "d.npz") in str(info.value)
    assert "truncated or damaged" in str(info.value)


# -- choosing columns (the import dialog and dataset.input_columns / target_column) ------------------

IRIS = ("length,width,species,weight\n"
        "5.1,3.5,0,1.2\n"
        "4.9,3.0,0,1.1\n"
        "6.3,3.3,2,2.5\n"
        "5.8,2.7,1,1.9\n")


def test_columns_are_chosen_by_header_name_or_number(tmp_path):
    path = write(tmp_path, IRIS)
    ds = load_dataset({"kind": "file", "path": str(path), "input_columns": ["weight", "length"],
                       "target_column": "species", "train_fraction": 0.5})
    assert ds.task == "classification" and ds.n_classes == 3     # a 'species' of 0-2: classes
    x = np.concatenate([ds.x_train, ds.x_test])
    y = np.concatenate([ds.y_train, ds.y_test])
    order = np.argsort(x[:, 1])                                   # by length
    np.testing.assert_allclose(x[order], [[1.1, 4.9], [1.2, 5.1], [1.9, 5.8], [2.5, 6.3]],
                               rtol=1e-6)
    np.testing.assert_array_equal(y[order], [0, 0, 1, 2])
    assert "columns weight, length as x1, x2" in ds.note
    by_number = load_file(path, input_columns=[4, 1], target_column=3, train_fraction=0.5)
    np.testing.assert_array_equal(by_number.x_train, ds.x_train)
    # the default: every column but the last as inputs, the last (weight: reals) as target
    whole = load_file(path)
    assert whole.task == "regression" and whole.input_shape == (3,)
    assert whole.feature_names == ("length", "width", "species")


def test_a_text_column_left_out_is_no_error_and_chosen_names_its_line(tmp_path):
    path = write(tmp_path, "x1,x2,name,label\n1,2,ann,0\n3,4,bob,1\n5,6,cy,1\n")
    ds = load_file(path, input_columns=["x1", "x2"], target_column="label")
    assert ds.input_shape == (2,) and ds.task == "classification"
    with pytest.raises(DatasetError) as info:
        load_file(path)
    assert "line 2, column 3 (name): 'ann' is not a finite number" in str(info.value)


def test_task_inference_whole_numbers_with_few_values_are_classes(tmp_path):
    few = write(tmp_path, "".join(f"{i},{i % 5}\n" for i in range(30)), "few.csv")
    assert load_file(few).task == "classification" and load_file(few).n_classes == 5
    many = write(tmp_path, "".join(f"{i},{i * 3}\n" for i in range(30)), "many.csv")
    assert load_file(many).task == "regression"
    assert load_file(many, task="classification").n_classes == 88    # overridden: still ok


@pytest.mark.parametrize("spec, words", [
    ({"input_columns": ["x1", "label"], "target_column": "label"},
     ["dataset.input_columns[1]", "is the target"]),
    ({"target_column": "colour"}, ["dataset.target_column", "no column 'colour'", "x1, x2, label"]),
    ({"input_columns": [7]}, ["dataset.input_columns[0]", "column 7 does not exist", "3 columns"]),
])
def test_wrong_column_choices_name_the_setting(tmp_path, spec, words):
    path = write(tmp_path, "x1,x2,label\n1,2,0\n3,4,1\n")
    with pytest.raises(DatasetError) as info:
        load_dataset({"kind": "file", "path": str(path), **spec})
    for word in words:
        assert word in str(info.value)


def test_a_headerless_file_names_its_columns_by_number(tmp_path):
    from nnplayground.data.files import read_table
    path = write(tmp_path, "1,2,0\n3,4,1\n5,6,1\n")
    table = read_table(path)
    assert table.columns == ("column 1", "column 2", "column 3") and not table.header
    assert table.default_target() == 3 and table.default_inputs(3) == [1, 2]
    assert table.preview(2) == [["1", "2", "0"], ["3", "4", "1"]]
    with pytest.raises(DatasetError, match="no header, so name columns by number"):
        load_file(path, target_column="label")


def test_npz_arrays_are_chosen_by_name(tmp_path):
    rng = np.random.default_rng(0)
    a, b = rng.normal(size=(20, 2)), rng.normal(size=20)
    kind = rng.integers(0, 3, 20)
    np.savez(tmp_path / "d.npz", a=a, b=b, kind=kind, value=a[:, 0] * 2)
    ds = load_file(tmp_path / "d.npz", input_columns=["a", "b"], target_column="kind",
                   train_fraction=0.5)
    assert ds.task == "classification" and ds.input_shape == (3,) and ds.n_classes == 3
    x = np.concatenate([ds.x_train, ds.x_test])
    np.testing.assert_allclose(np.sort(x[:, 2]), np.sort(b), rtol=1e-6)
    reg = load_file(tmp_path / "d.npz", input_columns=["a"], target_column="value")
    assert reg.task == "regression" and reg.input_shape == (2,)
    # without x and y: the last array is the target, the others the inputs
    assert load_file(tmp_path / "d.npz").input_shape == (4,)
    from nnplayground.data.files import read_table
    table = read_table(tmp_path / "d.npz")
    assert table.columns == ("a", "b", "kind", "value") and table.n_rows == 20
    assert table.preview(1)[0][2] == str(kind[0])


def test_a_csv_that_is_not_utf8_names_the_byte(tmp_path):
    path = tmp_path / "d.csv"
    path.write_bytes(b"x1,x2,label\n1,2,0\n\xff,3,1\n")
    with pytest.raises(DatasetError, match=r"d.csv: not UTF-8 text \(byte 18 is 0xff\)"):
        load_file(path)


def test_a_csv_table_keeps_no_python_object_per_row(tmp_path):
    """Half a million rows' cells as strings took ~400 MB, and freeing them stalled whichever
    thread dropped the table (the GUI's, closing the import dialog): a table keeps numbers,
    line numbers as an array, the first rows' text for a preview, and the text of each
    column's first odd cell, which is all a message quotes."""
    from nnplayground.data.files import HEAD_ROWS, read_table
    rows = [f"{i / 10},{i % 7},{i % 2}" for i in range(3 * HEAD_ROWS)]
    rows[250] = "0.5,1e39,1"                    # beyond float32
    rows[260] = "0.5,seven,1"                   # text
    rows[270] = "0.5,1e40,1"
    path = write(tmp_path, "x1,x2,label\n# made by hand\n" + "\n".join(rows) + "\n")
    table = read_table(path)
    assert len(table.head) == HEAD_ROWS and table.head[3] == ("0.3", "3", "1")
    assert table.values.shape == (3 * HEAD_ROWS, 3) and table.values.dtype == np.float64
    assert table.values[3].tolist() == [0.3, 3.0, 1.0]
    assert isinstance(table.lines, np.ndarray) and table.lines[0] == 3
    assert table.odd == {("big", 1): "1e39", ("finite", 1): "seven"}
    with pytest.raises(DatasetError, match=r"line 263, column 2 \(x2\): 'seven' is not a "
                                           "finite number"):
        table.select(["x1", "x2"], "label")
    good = write(tmp_path, "\n".join(r for i, r in enumerate(rows) if i != 260), "big.csv")
    with pytest.raises(DatasetError, match=r"line 251, column 2: 1e39 is beyond"):
        read_table(good).select([1, 2], 3)


TRICKY_CSV = ("\ufeffx1,x2,label\r\n1.5,-2,0\r\n\r\n# a note\r\n\"3\",\" 4 \",1\r\n"
              "5,6,0\n7,8,1")             # byte-order mark, CRLF, blank, comment, quotes, no end


@pytest.mark.parametrize("chunk_bytes", [1, 2, 7, 64])
def test_a_csv_read_in_small_chunks_is_the_same_table(tmp_path, chunk_bytes):
    from nnplayground.data.files import read_table
    path = tmp_path / "d.csv"
    path.write_bytes(TRICKY_CSV.encode("utf-8"))
    whole, chunked = read_table(path), read_table(path, chunk_bytes=chunk_bytes)
    assert chunked.columns == whole.columns == ("x1", "x2", "label")
    np.testing.assert_array_equal(chunked.values, [[1.5, -2, 0], [3, 4, 1], [5, 6, 0],
                                                   [7, 8, 1]])
    np.testing.assert_array_equal(whole.values, chunked.values)
    assert chunked.lines.tolist() == whole.lines.tolist() == [2, 5, 6, 7]
    assert chunked.head == whole.head


def test_a_csv_read_stops_between_chunks_when_told(tmp_path):
    """The import dialog's Cancel: `keep_going()` is asked before each chunk; once it says no
    the read raises ReadCancelled at once, having read no further chunk."""
    from nnplayground.data.files import ReadCancelled, read_table
    path = write(tmp_path, "x1,x2,label\n" + "".join(f"{i},{-i},{i % 2}\n"
                                                       for i in range(2000)))
    asked = []

    def keep_going():
        asked.append(True)
        return len(asked) <= 3
    with pytest.raises(ReadCancelled):
        read_table(path, keep_going, chunk_bytes=100)
    assert len(asked) == 4                  # three chunks read, then told to stop
    everything = []
    read_table(path, lambda: everything.append(True) or True, chunk_bytes=100)
    assert len(everything) > 200            # the whole file would have been ~250 chunks


def test_a_non_utf8_byte_is_named_by_its_place_in_the_file_whatever_the_chunk(tmp_path):
    from nnplayground.data.files import read_table
    path = tmp_path / "d.csv"
    path.write_bytes(b"x1,x2,label\n1,2,0\n3,4,1\n5,6,0\n\xff,3,1\n")
    for chunk_bytes in (4, 1 << 20):
        with pytest.raises(DatasetError, match=r"d.csv: not UTF-8 text \(byte 30 is 0xff\)"):
            read_table(path, chunk_bytes=chunk_bytes)


def test_csv_rows_reads_only_as_far_as_asked(tmp_path):
    from nnplayground.data.files import csv_records, csv_rows
    path = write(tmp_path, "x1,x2,label\n" + "".join(f"{i},{-i},{i % 2}\n" for i in range(500)))
    assert csv_rows(path, 3) == [(1, ("x1", "x2", "label")), (2, ("0", "0", "0")),
                                 (3, ("1", "-1", "1"))]
    asked = []
    records = csv_records(path, lambda: asked.append(True) or True, chunk_bytes=64)
    assert next(records) == (1, ("x1", "x2", "label")) and len(asked) == 1
