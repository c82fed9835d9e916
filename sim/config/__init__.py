"""Everything a user can set and how it is checked, next to ``conf/``.

:mod:`~sim.config.schema` and :mod:`~sim.config.schema_world` (the typed shape of every key),
:mod:`~sim.config.compose` (Hydra composition to a validated :class:`~sim.config.schema.Config`),
:mod:`~sim.config.overrides` (the one way to set ``key=value`` on a config),
:mod:`~sim.config.validate` (range and cross-key rules), :mod:`~sim.config.events` (dated
changes) and :mod:`~sim.config.errors` (the one-line :class:`ConfigError`).
"""

from sim.config.errors import ConfigError

__all__ = ["ConfigError"]
