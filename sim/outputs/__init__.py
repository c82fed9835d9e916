"""What a run leaves behind and how it is read and drawn: :mod:`~sim.outputs.io` (run files, written atomically),
:mod:`~sim.outputs.load` (``load_results``, filters pushed down to Parquet),
:mod:`~sim.outputs.aggregate` (many runs in one table), :mod:`~sim.outputs.figures` (plots that
return ``(fig, axes)``) and :mod:`~sim.outputs.style` (colours, labels and the style file)."""
