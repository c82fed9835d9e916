"""Transit pipeline: shipments land exactly ``lead`` months later."""

import numpy as np
import pytest

from sim.mechanisms.transit import Pipeline


def test_shipments_arrive_after_their_lead():
    pipe = Pipeline((2,), horizon=3)
    pipe.ship(0, 2, np.array([1.0, 0.0]))
    pipe.ship(0, 0, np.array([0.0, 5.0]))
    np.testing.assert_allclose(pipe.arrive(0), [0.0, 5.0])   # months are processed in order
    pipe.ship(1, 3, np.array([4.0, 4.0]))
    np.testing.assert_allclose(pipe.in_transit(), [5.0, 4.0])
    np.testing.assert_allclose(pipe.arrive(1), [0.0, 0.0])
    np.testing.assert_allclose(pipe.arrive(2), [1.0, 0.0])
    np.testing.assert_allclose(pipe.arrive(3), [0.0, 0.0])
    np.testing.assert_allclose(pipe.arrive(4), [4.0, 4.0])
    np.testing.assert_allclose(pipe.in_transit(), 0.0)


def test_lead_beyond_horizon_is_refused():
    with pytest.raises(ValueError, match="outside"):
        Pipeline((1,), horizon=2).ship(0, 3, np.ones(1))
