"""Mesa agents of rhythm-sim: one class per module, behaviour only."""

from agents.country import Country
from agents.producer import DefenseProducer
from agents.refiner import Refiner

__all__ = ["Country", "DefenseProducer", "Refiner"]
