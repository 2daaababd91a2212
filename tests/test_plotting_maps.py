"""plotting.maps.annotated_map: every cell carries its value at the right place, NaN cells are blank."""

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402

from lqg import plotting  # noqa: E402


def test_annotated_map_labels_each_cell_at_its_place():
    values = np.array([[0.0, 0.5, np.nan], [1.0, 0.25, 0.75]])    # rows y = 0.1, 0.3
    fig, ax = plt.subplots()
    image = plotting.maps.annotated_map(ax, values, [0.001, 0.01, 0.1], [0.1, 0.3], missing="-")
    labels = {tuple(round(c) for c in t.get_position()): t.get_text() for t in ax.texts}
    assert labels == {(0, 0): "0%", (1, 0): "50%", (2, 0): "-", (0, 1): "100%", (1, 1): "25%",
                      (2, 1): "75%"}
    assert [t.get_text() for t in ax.get_xticklabels()] == ["0.001", "0.01", "0.1"]
    assert [t.get_text() for t in ax.get_yticklabels()] == ["0.1", "0.3"]
    assert image.get_array().mask[0, 2] and not image.get_array().mask[1, 2]
    plt.close(fig)


def test_annotated_map_shape_mismatch_names_the_shapes():
    fig, ax = plt.subplots()
    with pytest.raises(ValueError, match=r"\(len\(y\), len\(x\)\) = \(2, 3\)"):
        plotting.maps.annotated_map(ax, np.zeros((3, 2)), [1, 2, 3], [1, 2])
    plt.close(fig)
