"""China's export shares by destination (S13): exact reduced-form values."""

import numpy as np

from sim.mechanisms.exports import export_shares


def test_shares_follow_growth_tariffs_and_circle_b_years():
    share0 = np.array([0.0, 0.2, 0.1])      # China first
    out = export_shares(share0, np.array([0.0, 0.0, 0.1]), 2.0, np.array([0.0, 1.0, 0.0]), 1.0,
                        np.array([0.0, 0.0, 2.0]), 0.05, 0.3, 0.0, home=0)
    pull = np.array([0.0, 0.2 / 2.0, 0.1 * 1.1 ** 2 * 1.05 ** 2])
    np.testing.assert_allclose(out, pull / (pull.sum() + 0.3))
    assert out[0] == 0.0


def test_no_change_gives_the_base_shares():
    share0 = np.array([0.0, 0.5, 0.3])
    out = export_shares(share0, np.zeros(3), 0.0, np.zeros(3), 1.2, np.zeros(3), 0.05, 0.2, 0.03, home=0)
    np.testing.assert_allclose(out, share0)
