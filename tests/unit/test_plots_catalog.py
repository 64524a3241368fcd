"""Figure builders produce the traces they promise; the catalogue only lists existing pages."""

import numpy as np

from playground.core import catalog
from playground.figures import plots


def test_matrix_heatmap_writes_numbers_and_highlights():
    fig = plots.matrix_heatmap(np.array([[0, 1.5], [2, -3]]), highlight=(0, 1, 1, 1))
    heatmap = fig.data[0]
    assert heatmap.text.tolist() == [["0", "1.5"], ["2", "-3"]]
    assert fig.layout.shapes[0].x0 == 0.5 and fig.layout.shapes[0].y0 == -0.5


def test_image_grid_is_one_image_with_each_picture_in_its_cell():
    fig = plots.image_grid(
        [np.zeros((8, 8)), np.ones((8, 8, 1)), np.zeros((8, 8, 3), np.uint8)], titles=["a", "b", "c"], cols=2
    )
    (canvas,) = [trace.z for trace in fig.data]
    # 8x8 cells at cell_px 90: a 2-pixel title strip above each, 1-pixel white gaps, white after the last.
    assert canvas.shape == (2 * (2 + 8) + 1, 2 * 8 + 1, 3) and canvas.dtype == np.uint8
    assert (canvas[2:10, 0:8] == 0).all() and (canvas[2:10, 9:17] == 255).all()
    assert (canvas[13:21, 0:8] == 0).all() and (canvas[13:21, 9:17] == 255).all()
    assert (canvas[0:2] == 255).all() and (canvas[10, :] == 255).all() and (canvas[:, 8] == 255).all()
    titles = {(a.text, a.x, a.y) for a in fig.layout.annotations}
    assert titles == {("a", 4.0, 1.0), ("b", 13.0, 1.0), ("c", 4.0, 12.0)}


def test_curves_and_histogram_and_bars():
    fig = plots.curves({"loss": ([1, 2], [0.9, 0.5]), "val_loss": ([1, 2], [1.0, 0.7])}, vlines={"fine-tune": 1.5})
    assert [t.name for t in fig.data] == ["loss", "val_loss"] and fig.data[1].line.dash == "dash"
    assert len(plots.histogram({"real": np.ones(5), "fake": np.zeros(5)}).data) == 2
    assert list(plots.bars(["cat", "dog"], [0.2, 0.8], highlight=1).data[0].y) == ["cat", "dog"]


def test_decision_boundary_colours_the_winning_class():
    xx, yy = np.meshgrid(np.linspace(-1, 1, 5), np.linspace(-1, 1, 5))
    probability_class1 = (xx > 0).astype(float)
    fig = plots.decision_boundary(xx, yy, probability_class1, points=np.array([[0.5, 0.5]]), labels=np.array([1]))
    image = fig.data[0].z
    class0, class1 = (np.array(plots.hex_to_rgb(c)) for c in plots.PALETTE[:2])
    # Left columns lean to class 0's colour, right columns to class 1's.
    assert np.abs(image[2, 0] - (255 * 0.25 + class0 * 0.75)).max() < 2
    assert np.abs(image[2, 4] - (255 * 0.25 + class1 * 0.75)).max() < 2


def test_catalogue_lists_only_existing_pages():
    pages = catalog.available_pages()
    assert pages[0].path == "views/home.py"
    assert all(p.exists for p in pages)
    assert all(section in catalog.SECTIONS for section in catalog.by_section())
