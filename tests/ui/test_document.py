"""The pure document edits behind the diagram (no Qt): ids, connections, output, layout."""

from __future__ import annotations

import pytest

from nnplayground.engine import check_graph
from nnplayground.presets import load_builtin
from nnplayground.ui import document as D
from nnplayground.ui.undo import change_kind


def chain(*types):
    doc = D.empty_document()
    ids = [D.add_node(doc, t, (0, 0)) for t in types]
    for a, b in zip(ids, ids[1:]):
        D.connect(doc, a, b)
    return doc, ids


def test_ids_are_fresh_and_readable():
    doc, ids = chain("Input", "Dense", "Dense", "Dropout")
    assert ids == ["x", "dense1", "dense2", "dropout1"]
    assert all(D.ID_PATTERN.match(i) for i in ids)
    D.delete_nodes(doc, ["dense1"])
    assert D.add_node(doc, "Dense") == "dense1"


def test_connect_refuses_loops_self_and_duplicates_but_allows_bad_shapes():
    doc, (x, d1, d2) = chain("Input", "Dense", "Dense")
    assert "loop" in D.can_connect(doc, d2, d1)
    assert "itself" in D.can_connect(doc, d1, d1)
    assert "Input" in D.can_connect(doc, d1, x)
    add = D.add_node(doc, "Add")
    D.connect(doc, d1, add)
    assert "already" in D.can_connect(doc, d1, add)
    D.connect(doc, x, add)                        # shapes differ: allowed, check_graph says why
    assert D.node_by_id(doc, add)["inputs"] == [d1, x]
    assert not check_graph(doc["model"]).ok


def test_output_follows_the_single_end_and_survives_deletes():
    doc = load_builtin("xor")
    new = D.add_node(doc, "Dense", (700, 0), {"units": 1, "activation": "sigmoid"})
    D.connect(doc, "out", new)
    assert doc["model"]["output"] == new
    D.delete_nodes(doc, [new])
    assert "output" not in doc["model"] and D.sinks(doc) == ["out"]
    assert check_graph(doc["model"]).ok


def test_duplicate_keeps_links_among_copies_only():
    doc = load_builtin("xor")
    copies = D.duplicate_nodes(doc, ["x", "h1", "h2"])
    assert len(copies) == 2                      # never a second Input
    a, b = (D.node_by_id(doc, c) for c in copies)
    assert a["inputs"] == [] and b["inputs"] == [a["id"]]
    assert a["params"] == D.node_by_id(doc, "h1")["params"]


def test_tidy_layout_columns_follow_depth_including_skips():
    doc = load_builtin("xor")
    add = D.add_node(doc, "Add")
    D.connect(doc, "h1", add)
    D.connect(doc, "h2", add)
    D.tidy_layout(doc, column=200)
    x = {n["id"]: n["pos"][0] for n in doc["model"]["nodes"]}
    assert x == {"x": 0, "h1": 200, "h2": 400, "out": 600, add: 600}
    ys = [n["pos"][1] for n in doc["model"]["nodes"] if n["pos"][0] == 600]
    assert len(set(ys)) == 2                     # stacked, not on top of each other


def test_tidy_layout_wraps_a_long_chain_into_rows_for_the_view():
    """mnist-best's thirteen columns: one row without a view shape (as before); for a 3:2
    view, rows of columns left to right, each row under the last, none overlapping, chosen
    so the whole is largest in that view; a wide 4:1 view keeps fewer, longer rows."""
    def rows_for(aspect):
        doc = load_builtin("mnist-best")
        D.tidy_layout(doc, column=180, aspect=aspect)
        rows = {}
        for n in doc["model"]["nodes"]:
            rows.setdefault(n["pos"][1], []).append(n["pos"][0])
        return [xs for _y, xs in sorted(rows.items())]
    assert rows_for(None) == [[180 * k for k in range(13)]]
    rows = rows_for(1.5)
    assert len(rows) > 2
    for xs in rows:
        assert xs == [180 * k for k in range(len(xs))]          # left to right from x = 0
    assert sum(len(xs) for xs in rows) == 13
    assert 1 < len(rows_for(4.0)) < len(rows)
    for aspect in (0.8, 1.0, 1.33, 1.5, 2.0, 3.0, 4.0):       # rows as even as they can be
        lengths = [len(xs) for xs in rows_for(aspect)]
        assert lengths[0] == -(-13 // len(lengths)), (aspect, lengths)   # 4 + 4 + 4 + 1
    doc = load_builtin("mnist-best")
    D.tidy_layout(doc, column=180, aspect=1.5)
    ys = sorted({n["pos"][1] for n in doc["model"]["nodes"]})
    assert all(b - a >= 80 + 60 for a, b in zip(ys, ys[1:]))   # block height and the gap


@pytest.mark.parametrize("edit, kind", [
    (lambda d: d["optimizer"].update(lr=0.5), "live"),
    (lambda d: d["training"].update(batch_size=32), "live"),
    (lambda d: d["regularization"].update(l2=0.01), "live"),
    (lambda d: D.move_nodes(d, {"h1": (5, 5)}), "layout"),
    (lambda d: D.set_param(d, "h1", "units", 3), "structure"),
    (lambda d: d["dataset"].update(noise=10), "structure"),
])
def test_change_kinds_decide_between_live_update_and_reload(edit, kind):
    old = load_builtin("xor")
    new = load_builtin("xor")
    edit(new)
    assert change_kind(old, new) == kind
