"""The ways to run the model: :mod:`~sim.runs.api` (Python), :mod:`~sim.runs.cli` (``python -m sim``),
:mod:`~sim.runs.sweep` (``python -m sim.sweep``), :mod:`~sim.runs.callbacks` (multirun aggregate),
:mod:`~sim.runs.app` (the interactive page), :mod:`~sim.runs.runner` (replicates of one config)
and :mod:`~sim.runs.entry` (the shared ``main()`` convention of every command)."""
