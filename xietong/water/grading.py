"""Water-quality classes of surface water: GB 3838-2002 Table 1 and the 2011 evaluation method.

Sources, named by clause where the code applies them:
- GB 3838-2002《地表水环境质量标准》, 表1 地表水环境质量标准基本项目标准限值 (the limits below);
  4.2 (a water body's class is set by its worst item) and 5.1 (a value equal to a limit meets it).
- 环办〔2011〕22号《地表水环境质量评价办法（试行）》:
  一(一)1: the assessed items are Table 1 without water temperature, total nitrogen and fecal
  coliform; those are reported on their own, and for lakes and reservoirs total nitrogen is
  assessed as well ("河流总氮除外");
  二(一)1: single-factor evaluation, the section's class is the worst class of its items;
  二(三): exceedance multiple = (value − limit) / limit, not computed for water temperature, pH
  and dissolved oxygen;
  表1 断面水质定性评价: I–II 优, III 良, IV 轻度污染, V 中度污染, 劣V 重度污染.

This module is pure Python with no database access: `classify` grades one set of values,
`classify_matrix` grades many at once with numpy (the benchmark's million samples).
"""

from dataclasses import dataclass, field

from django.utils.translation import gettext_lazy as _

GRADES = ("I", "II", "III", "IV", "V", "劣V")
CLASSES = GRADES[:5]
WORST = "劣V"
GRADE_RANK = {grade: rank for rank, grade in enumerate(GRADES, start=1)}

# Keys in the order of Table 1 (水温 left out: it has no class limits).
PARAMETERS = (
    "ph",
    "do",
    "codmn",
    "cod",
    "bod5",
    "nh3n",
    "tp",
    "tn",
    "cu",
    "zn",
    "f",
    "se",
    "as_",
    "hg",
    "cd",
    "cr6",
    "pb",
    "cn",
    "phenol",
    "oil",
    "las",
    "s2",
    "fecal_coliform",
)

# GB 3838-2002 表1, classes I…V, mg/L (fecal coliform per litre). Upper limits except DO (a floor).
LIMITS = {
    "do": (7.5, 6, 5, 3, 2),  # 3 溶解氧 ≥ (class I: 饱和率90% or 7.5)
    "codmn": (2, 4, 6, 10, 15),  # 4 高锰酸盐指数 ≤
    "cod": (15, 15, 20, 30, 40),  # 5 化学需氧量 ≤
    "bod5": (3, 3, 4, 6, 10),  # 6 五日生化需氧量 ≤
    "nh3n": (0.15, 0.5, 1.0, 1.5, 2.0),  # 7 氨氮 ≤
    "tp": (0.02, 0.1, 0.2, 0.3, 0.4),  # 8 总磷 ≤ (rivers)
    "tn": (0.2, 0.5, 1.0, 1.5, 2.0),  # 9 总氮 ≤ (湖、库)
    "cu": (0.01, 1.0, 1.0, 1.0, 1.0),  # 10 铜
    "zn": (0.05, 1.0, 1.0, 2.0, 2.0),  # 11 锌
    "f": (1.0, 1.0, 1.0, 1.5, 1.5),  # 12 氟化物
    "se": (0.01, 0.01, 0.01, 0.02, 0.02),  # 13 硒
    "as_": (0.05, 0.05, 0.05, 0.1, 0.1),  # 14 砷
    "hg": (0.00005, 0.00005, 0.0001, 0.001, 0.001),  # 15 汞
    "cd": (0.001, 0.005, 0.005, 0.005, 0.01),  # 16 镉
    "cr6": (0.01, 0.05, 0.05, 0.05, 0.1),  # 17 铬（六价）
    "pb": (0.01, 0.01, 0.05, 0.05, 0.1),  # 18 铅
    "cn": (0.005, 0.05, 0.2, 0.2, 0.2),  # 19 氰化物
    "phenol": (0.002, 0.002, 0.005, 0.01, 0.1),  # 20 挥发酚
    "oil": (0.05, 0.05, 0.05, 0.5, 1.0),  # 21 石油类
    "las": (0.2, 0.2, 0.2, 0.3, 0.3),  # 22 阴离子表面活性剂
    "s2": (0.05, 0.1, 0.2, 0.5, 1.0),  # 23 硫化物
    "fecal_coliform": (200, 2000, 10000, 20000, 40000),  # 24 粪大肠菌群 (个/L)
}
# 8 总磷, the limits for lakes and reservoirs (湖、库).
LAKE_TP_LIMITS = (0.01, 0.025, 0.05, 0.1, 0.2)
PH_RANGE = (6.0, 9.0)  # 2 pH 6~9 for every class

KINDS = ("river", "lake")
# 评价办法 一(一)1: graded items by kind; TN and fecal coliform of rivers are reported only.
NOT_GRADED = {"river": frozenset({"tn", "fecal_coliform"}), "lake": frozenset({"fecal_coliform"})}
# 评价办法 二(三): no exceedance multiple for pH and DO.
NO_MULTIPLE = frozenset({"ph", "do"})

EXCELLENT, GOOD = _("Excellent"), _("Good")
SLIGHTLY, MODERATELY, HEAVILY = _("Slightly polluted"), _("Moderately polluted"), _("Heavily polluted")
QUALITY = {  # 评价办法 表1 (优, 良, 轻度污染, 中度污染, 重度污染), with the colours of the national reports
    "I": (EXCELLENT, "#44a3f7"),
    "II": (EXCELLENT, "#44a3f7"),
    "III": (GOOD, "#4caf50"),
    "IV": (SLIGHTLY, "#f5c518"),
    "V": (MODERATELY, "#ff8c1a"),
    WORST: (HEAVILY, "#e53935"),
}


@dataclass(frozen=True)
class Result:
    grade: str | None
    worst: tuple = ()
    exceeding: dict = field(default_factory=dict)
    # Every graded parameter's own class, and the parameters worse than the target (pH and DO included).
    classes: dict = field(default_factory=dict)
    failing: tuple = ()
    target: str | None = None

    @property
    def meets(self):
        """Whether the grade reaches the target class; None without a target or a grade."""
        if self.grade is None or self.target is None:
            return None
        return GRADE_RANK[self.grade] <= GRADE_RANK[self.target]


def limits_for(parameter, kind="river"):
    if parameter == "tp" and kind == "lake":
        return LAKE_TP_LIMITS
    return LIMITS[parameter]


def parameter_class(parameter, value, kind="river"):
    """The class of one value: "I".."V" or "劣V". Equal to a limit is that class (GB 3838 5.1)."""
    if parameter == "ph":
        return "I" if PH_RANGE[0] <= value <= PH_RANGE[1] else WORST
    limits = limits_for(parameter, kind)
    if parameter == "do":
        for grade, floor in zip(CLASSES, limits, strict=True):
            if value >= floor:
                return grade
        return WORST
    for grade, ceiling in zip(CLASSES, limits, strict=True):
        if value <= ceiling:
            return grade
    return WORST


def exceedance(parameter, value, target, kind="river"):
    """(value − limit) / limit of the target class when the value is above it, else None (评价办法 二(三))."""
    if parameter in NO_MULTIPLE:
        return None
    limit = limits_for(parameter, kind)[CLASSES.index(target)]
    if value <= limit:
        return None
    return (value - limit) / limit


def _check_kind_and_target(kind, target):
    if kind not in KINDS:
        raise ValueError(f"kind must be one of {KINDS}, not {kind!r}")
    if target is not None and target not in CLASSES:
        raise ValueError(f"target must be one of {CLASSES}, not {target!r}")


def classify(values, kind="river", target=None):
    """Grade one set of values {parameter: number}; None values and unknown keys are ignored.

    `.grade` is the worst class over the graded parameters (评价办法 二(一)1), None if none is given;
    `.worst` the parameters that set it; with `target`, `.exceeding` maps the parameters above the
    target class's limit to their exceedance multiple and `.failing` lists every parameter worse
    than the target, pH and DO included.
    """
    _check_kind_and_target(kind, target)
    skipped = NOT_GRADED[kind]
    classes = {}
    for parameter in PARAMETERS:
        value = values.get(parameter)
        if value is None or parameter in skipped:
            continue
        classes[parameter] = parameter_class(parameter, value, kind)
    if not classes:
        return Result(grade=None, target=target)
    worst_rank = max(GRADE_RANK[c] for c in classes.values())
    grade = GRADES[worst_rank - 1]
    worst = tuple(p for p, c in classes.items() if GRADE_RANK[c] == worst_rank)
    exceeding, failing = {}, ()
    if target is not None:
        target_rank = GRADE_RANK[target]
        failing = tuple(p for p, c in classes.items() if GRADE_RANK[c] > target_rank)
        for parameter in failing:
            multiple = exceedance(parameter, values[parameter], target, kind)
            if multiple is not None:
                exceeding[parameter] = multiple
    return Result(grade=grade, worst=worst, exceeding=exceeding, classes=classes, failing=failing, target=target)


def main_pollutants(values, kind="river", limit=3):
    """A section's main pollutants: items above class III by exceedance multiple, at most three (评价办法 二(三)1)."""
    result = classify(values, kind, target="III")
    ranked = sorted(result.exceeding.items(), key=lambda item: -item[1])
    return [(parameter, multiple) for parameter, multiple in ranked[:limit]]


def quality_word(grade):
    return QUALITY[grade][0] if grade else ""


def colour(grade):
    return QUALITY[grade][1] if grade else "#9e9e9e"


# --- many samples at once ---------------------------------------------------------------------------------


def classify_matrix(matrix, kind="river"):
    """Grade rows of a float matrix (columns in PARAMETERS order, NaN for no value) with numpy.

    Returns an int8 array of ranks: 1…5 for I…V, 6 for 劣V, 0 where nothing is graded. Same rules
    as `classify`, which the tests check it against.
    """
    import numpy as np

    _check_kind_and_target(kind, None)
    rows = matrix.shape[0]
    worst = np.zeros(rows, dtype=np.int8)
    for column, parameter in enumerate(PARAMETERS):
        if parameter in NOT_GRADED[kind]:
            continue
        values = matrix[:, column]
        present = ~np.isnan(values)
        if parameter == "ph":
            ranks = np.where((values >= PH_RANGE[0]) & (values <= PH_RANGE[1]), 1, 6)
        elif parameter == "do":
            # Count the floors the value falls short of: 0 → class I … 5 → 劣V.
            floors = np.array(LIMITS["do"], dtype=float)
            ranks = 1 + (values[:, None] < floors[None, :]).sum(axis=1)
        else:
            ceilings = np.array(limits_for(parameter, kind), dtype=float)
            ranks = 1 + np.searchsorted(ceilings, values, side="left")
        ranks = np.where(present, ranks, 0).astype(np.int8)
        np.maximum(worst, ranks, out=worst)
    return worst
