"""The Mesa model and the state it owns.

:mod:`~sim.model.world` indexes a validated config into arrays and :mod:`~sim.model.policy`
its settings (typed club and reaction terms); :mod:`~sim.model.model` holds
:class:`RhythmModel` (named builders and the monthly schedule, :data:`~sim.model.model.SCHEDULE`,
each stage with the state it reads and writes); :mod:`~sim.model.state` declares that state;
the stages live in :mod:`~sim.model.production` (production, use), :mod:`~sim.model.clearing`
(markets) and :mod:`~sim.model.decisions` (decisions); :mod:`~sim.model.regime` is China's
live regime, :mod:`~sim.model.ledger` the material balance and :mod:`~sim.model.recorder`
the per-month records.
"""

from sim.model.model import RhythmModel

__all__ = ["RhythmModel"]
