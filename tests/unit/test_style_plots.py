"""Gram heatmaps: one panel per matrix on one shared colour scale."""

import numpy as np

from playground.figures import style_plots


def test_gram_heatmaps_share_one_scale_capped_at_99th_percentile(rng):
    matrices = {"style": rng.uniform(0, 1, (6, 6)), "result": rng.uniform(0, 3, (6, 6))}
    fig = style_plots.gram_heatmaps(matrices)
    assert [trace.type for trace in fig.data] == ["heatmap", "heatmap"]
    assert {trace.coloraxis for trace in fig.data} == {"coloraxis"}
    assert fig.layout.coloraxis.cmax == np.percentile(matrices["result"], 99)
    assert [a.text for a in fig.layout.annotations] == ["style", "result"]
    np.testing.assert_array_equal(fig.data[1].z, matrices["result"])
