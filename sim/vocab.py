"""The model's vocabulary, defined once: materials, stages, origin classes, circles, markets
and scenario names, with the index constants the arrays use.

Every module that names one of these imports it from here; nothing else defines them.
"""

from __future__ import annotations

MATERIALS = ("light_oxide", "heavy_oxide", "metal", "magnet")   # the material axis of every array
LIGHT, HEAVY, METAL, MAGNET = range(len(MATERIALS))              # their indices

STAGES = ("separation", "metal", "magnet")                        # the stage axis of plants
SEPARATION = STAGES.index("separation")
OUTPUT = {0: LIGHT, 1: METAL, 2: MAGNET}   # stage index -> main output material (separation also makes heavy oxide)

CLASSES = ("chinese", "unqualified", "qualified")   # origin classes of material (the third axis of stocks)
N_CLASSES = len(CLASSES)   # 0 = Chinese content, 1 = non-China unqualified, 2 = non-China qualified

CIRCLES = ("A", "B", "U")   # the US-led circle, China's circle, unaligned (article 004)
MARKETS = ("CN", "ROW")     # China's domestic market; the rest of the world

SCENARIOS = ("rhythm_embedded", "collision", "bifurcation")   # the three 2026-2035 paths (article 004)
HINDCASTS = ("hindcast_2025",)   # scenario files that replay history (experiments/hindcast.py), not paths ahead
RUNNABLE = SCENARIOS + HINDCASTS   # every scenario file a run, sweep or study may name

DAYS_PER_MONTH = 30.44   # mean days per month (365.25 / 12), to turn monthly flows into days of cover

SECTORS = ("ev", "motors", "wind")   # civil high-tech sectors with a model-year cadence (SPEC §4b; U26, U27)
