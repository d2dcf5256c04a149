"""GB 3838-2002 Table 1 and the 2011 evaluation method, limit by limit, for rivers and lakes."""

import math
import random

import numpy as np
import pytest

from xietong.water import classify
from xietong.water.grading import (
    GRADE_RANK,
    GRADES,
    PARAMETERS,
    classify_matrix,
    main_pollutants,
    parameter_class,
)

# Table 1 as printed in the standard (classes I…V), transcribed here apart from the module.
TABLE_1 = """
codmn 2 4 6 10 15
cod 15 15 20 30 40
bod5 3 3 4 6 10
nh3n 0.15 0.5 1.0 1.5 2.0
tp 0.02 0.1 0.2 0.3 0.4
tn 0.2 0.5 1.0 1.5 2.0
cu 0.01 1.0 1.0 1.0 1.0
zn 0.05 1.0 1.0 2.0 2.0
f 1.0 1.0 1.0 1.5 1.5
se 0.01 0.01 0.01 0.02 0.02
as_ 0.05 0.05 0.05 0.1 0.1
hg 0.00005 0.00005 0.0001 0.001 0.001
cd 0.001 0.005 0.005 0.005 0.01
cr6 0.01 0.05 0.05 0.05 0.1
pb 0.01 0.01 0.05 0.05 0.1
cn 0.005 0.05 0.2 0.2 0.2
phenol 0.002 0.002 0.005 0.01 0.1
oil 0.05 0.05 0.05 0.5 1.0
las 0.2 0.2 0.2 0.3 0.3
s2 0.05 0.1 0.2 0.5 1.0
fecal_coliform 200 2000 10000 20000 40000
"""
UPPER = {row.split()[0]: [float(v) for v in row.split()[1:]] for row in TABLE_1.strip().splitlines()}
LAKE_TP = [0.01, 0.025, 0.05, 0.1, 0.2]
DO_FLOORS = [7.5, 6, 5, 3, 2]
CLASSES = ["I", "II", "III", "IV", "V"]


def _upper_limits(parameter, kind):
    return LAKE_TP if (parameter == "tp" and kind == "lake") else UPPER[parameter]


def _graded(parameter, kind):
    if parameter == "fecal_coliform":
        return False
    return not (parameter == "tn" and kind == "river")


def _cases():
    for kind in ("river", "lake"):
        for parameter in UPPER:
            if _graded(parameter, kind):
                for index in range(5):
                    yield kind, parameter, index


@pytest.mark.parametrize(("kind", "parameter", "index"), list(_cases()))
def test_every_upper_limit_of_every_class(kind, parameter, index):
    limits = _upper_limits(parameter, kind)
    limit = limits[index]
    # Equal to a limit belongs to the best class with that limit (classes may share one: COD I and II).
    at = CLASSES[limits.index(limit)]
    above = next((CLASSES[i] for i, v in enumerate(limits) if v > limit), "劣V")
    assert classify({parameter: limit}, kind=kind).grade == at
    assert classify({parameter: limit * 1.001}, kind=kind).grade == above
    assert classify({parameter: limit * 1.001}, kind=kind).worst == (parameter,)


@pytest.mark.parametrize("kind", ["river", "lake"])
@pytest.mark.parametrize("index", range(5))
def test_dissolved_oxygen_is_better_when_higher(kind, index):
    floor = DO_FLOORS[index]
    assert classify({"do": floor}, kind=kind).grade == CLASSES[index]
    below = CLASSES[index + 1] if index < 4 else "劣V"
    assert classify({"do": floor - 0.01}, kind=kind).grade == below
    assert classify({"do": 12.0}, kind=kind).grade == "I"


@pytest.mark.parametrize(
    ("ph", "grade"), [(6.0, "I"), (9.0, "I"), (7.2, "I"), (5.99, "劣V"), (9.01, "劣V"), (3.0, "劣V")]
)
def test_ph_outside_6_to_9_is_worse_than_v(ph, grade):
    assert classify({"ph": ph}).grade == grade
    assert classify({"ph": ph}, kind="lake").grade == grade


def test_rivers_report_but_do_not_grade_tn_and_fecal_coliform():
    values = {"nh3n": 0.4, "tn": 9.0, "fecal_coliform": 90000}
    assert classify(values).grade == "II"
    assert classify(values, kind="lake").grade == "劣V"
    assert classify(values, kind="lake").worst == ("tn",)
    # fecal coliform sets no class even in lakes (评价办法 一(一)1: reference item only)
    assert classify({"fecal_coliform": 90000}, kind="lake").grade is None


def test_lakes_have_their_own_phosphorus_limits():
    assert classify({"tp": 0.05}).grade == "II"
    assert classify({"tp": 0.05}, kind="lake").grade == "III"
    assert classify({"tp": 0.3}, kind="lake").grade == "劣V"


def test_the_worst_class_wins_and_names_every_parameter_that_set_it():
    result = classify({"ph": 7.5, "do": 6.5, "codmn": 5.1, "nh3n": 1.2, "tp": 0.25, "cod": 18})
    assert result.grade == "IV"
    assert result.worst == ("nh3n", "tp")
    assert result.classes == {"ph": "I", "do": "II", "codmn": "III", "cod": "III", "nh3n": "IV", "tp": "IV"}


def test_nothing_assessable_has_no_grade():
    assert classify({}).grade is None
    assert classify({"tn": 3.0, "nh3n": None, "temperature": 20}).grade is None


def test_exceedance_multiples_over_the_target_class():
    # 评价办法 二(三): (value − limit) / limit; none for pH and DO.
    result = classify({"codmn": 9.0, "nh3n": 2.5, "tp": 0.2, "do": 2.5, "ph": 9.5}, target="III")
    assert result.grade == "劣V"
    assert result.exceeding == pytest.approx({"codmn": 0.5, "nh3n": 1.5})
    assert set(result.failing) == {"codmn", "nh3n", "do", "ph"}
    assert result.meets is False
    # equal to the target's limit is not over it
    assert classify({"tp": 0.2}, target="III").exceeding == {}
    assert classify({"tp": 0.2}, target="III").meets is True
    # the target sets the limit: against class II the same TP is 1.0 times over 0.1
    assert classify({"tp": 0.2}, target="II").exceeding == pytest.approx({"tp": 1.0})
    assert classify({"tp": 0.075}, kind="lake", target="III").exceeding == pytest.approx({"tp": 0.5})
    assert classify({"hg": 0.0003}, target="III").exceeding == pytest.approx({"hg": 2.0})


def test_main_pollutants_are_the_three_most_over_class_iii():
    values = {"codmn": 7.2, "cod": 30, "bod5": 4.4, "nh3n": 3.0, "tp": 0.21, "do": 1.0}
    ranked = main_pollutants(values)
    assert [p for p, _m in ranked] == ["nh3n", "cod", "codmn"]
    assert ranked[0][1] == pytest.approx(2.0)


def test_unknown_kind_or_target_is_refused():
    with pytest.raises(ValueError):
        classify({"ph": 7}, kind="sea")
    with pytest.raises(ValueError):
        classify({"ph": 7}, target="劣V")


def test_single_parameter_class_matches_the_tables():
    assert parameter_class("cd", 0.001) == "I"
    assert parameter_class("cd", 0.0011) == "II"
    assert parameter_class("hg", 0.00005) == "I"
    assert parameter_class("hg", 0.00006) == "III"


@pytest.mark.parametrize("kind", ["river", "lake"])
def test_the_matrix_form_agrees_with_classify(kind):
    rng = random.Random(7)
    rows = []
    for _ in range(3000):
        row = []
        for parameter in PARAMETERS:
            if rng.random() < 0.15:
                row.append(math.nan)
            elif parameter == "ph":
                row.append(rng.choice([5.99, 6.0, 7.5, 9.0, 9.01]))
            elif parameter == "do":
                row.append(rng.choice([*DO_FLOORS, 1.5, 8.0, 5.5]))
            else:
                limits = _upper_limits(parameter, kind)
                row.append(rng.choice([*limits, limits[0] / 2, limits[-1] * 1.5, limits[2] * 1.01]))
        rows.append(row)
    matrix = np.array(rows, dtype=float)
    ranks = classify_matrix(matrix, kind=kind)
    for row, rank in zip(rows, ranks, strict=True):
        values = {p: v for p, v in zip(PARAMETERS, row, strict=True) if not math.isnan(v)}
        grade = classify(values, kind=kind).grade
        assert (GRADE_RANK[grade] if grade else 0) == rank
    assert set(ranks) <= set(range(len(GRADES) + 1))
