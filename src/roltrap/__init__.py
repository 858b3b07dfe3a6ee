"""roltrap: district monitor, escalator analysis and coaching aid after the BuZz Leiden syllabus."""

from roltrap.core import Roltrap

Monitor = Roltrap  # the name the first issue used; one object either way

__all__ = ["Monitor", "Roltrap"]
__version__ = "0.1.0"
