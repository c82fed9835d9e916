"""The fast study runner: thousands of runs on a persistent worker pool, resumable.

    from sim.study import load_study, run_study
    result = run_study(load_study("smoke"), out="outputs/studies/smoke", workers=2)
    print(result.summary())

Modules: :mod:`~sim.study.design` (studies, grid/LHS/sample designs, run specs and seeds),
:mod:`~sim.study.configs` (compose once, vary in process, validate up front),
:mod:`~sim.study.worker` (the task a worker runs), :mod:`~sim.study.storage` (Parquet parts,
resume, the aggregate), :mod:`~sim.study.engines` (local pool, Ray, Submitit),
:mod:`~sim.study.runner` (:func:`run_study`). The command line is :mod:`sim.runs.sweep`.
"""

from sim.study.design import RunSpec, Study, expand, load_study
from sim.study.runner import StudyResult, run_study
from sim.study.storage import ParquetStore, StudyError

__all__ = ["ParquetStore", "RunSpec", "Study", "StudyError", "StudyResult", "expand", "load_study", "run_study"]
