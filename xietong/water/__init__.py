"""水污染防治联动: rivers, sections, samples, GB 3838 classes, boundary accountability, eco-compensation.

Stable interface: `xietong.water.classify(values, kind="river", target=None)` (see grading.py).
"""

from .grading import Result, classify

__all__ = ["Result", "classify"]
