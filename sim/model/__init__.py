"""The Mesa model and the state it owns.

:mod:`~sim.model.world` indexes a validated config into arrays; :mod:`~sim.model.model` holds
:class:`RhythmModel` (construction and the monthly schedule); its stages live in
:mod:`~sim.model.clearing` (markets) and :mod:`~sim.model.decisions` (decisions);
:mod:`~sim.model.regime` is China's regime state, :mod:`~sim.model.ledger` the material
balance and :mod:`~sim.model.recorder` the per-month records.
"""

from sim.model.model import RhythmModel

__all__ = ["RhythmModel"]
