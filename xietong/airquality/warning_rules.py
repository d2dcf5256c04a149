"""Heavy-pollution warning levels from forecast daily AQI, by the rules in force on a date.

The rules are data (WarningRuleSet rows with effective dates, seeded from RULE_SETS below),
so a new plan or guidance is a new row, not a code change. Each level is a list of
alternatives; an alternative is a list of clauses [op, AQI, hours] that must all hold; a
clause holds when the forecast daily AQI is `op AQI` for at least `hours` in a row (持续)
within one pollution episode, counted across midnight.

An episode is a stretch of the forecast in which the AQI meets the lowest criterion of
the rule set (e.g. > 150 under the 2024 guidance), where interruptions of at most
`lift_after_hours` (36 h) are bridged: the plans lift a warning only when the air is
below the start criteria and forecast to stay so for more than 36 hours, and the 2017
national template counts two processes whose gap does not clear the first as one process
("应按一次重污染过程统计，从严启动预警"). The level of an episode holds for all of it, and
past its last polluted hour until the forecast shows the > 36 h of clean air that lifts it.
"""

import datetime as dt
import zoneinfo
from dataclasses import dataclass

from django.conf import settings

LEVEL_ORDER = ("blue", "yellow", "orange", "red")

# Sources, checked while writing this:
# - 2024: 生态环境部《关于进一步优化重污染天气应对机制的指导意见》(环大气〔2024〕6号),
#   published 2024-01-23 (reported by 中国大气网 2024-01-25 and 中新网 2024-01-26): "黄色预警以预测日
#   AQI>200或日AQI>150持续48小时及以上、橙色预警以预测日AQI>200持续48小时或日AQI>150持续72小时及
#   以上、红色预警以预测日AQI>200持续72小时且日AQI>300持续24小时及以上为分级标准". Lifting: below
#   the yellow criteria and forecast to stay so for more than 36 hours.
# - 2020 to 2024: 《山西省重污染天气应急预案》 revised and in force from 2020-06-09, which dropped the blue
#   level (新能源网 2020-07-03: "预警等级由四级调整为三级…以AQI>200持续天数作为确定预警级别的基本条件"),
#   and the city plans written to it. 忻州市生态环境局 answered on 2021-03-16, citing 《忻州市重污染
#   天气应急预案》 (2020-11): "三级预警(黄色):预测AQI日均值>200将持续48小时及以上…二级预警(橙色):
#   预测AQI日均值>200将持续72小时及以上…一级预警(红色):预测AQI日均值>200将持续96小时及以上，且预测
#   AQI日均值>300将持续48小时及以上；或预测AQI日均值达到500". 《太原市重污染天气应急预案》 (2019-10)
#   has the same three colours and lifts "当空气质量改善到相应级别预警启动标准以下，且预测将持续36小时
#   以上时". These are the rules that applied in the cluster in 2022.
# - 2018 to 2020: the four-level plans after the Ministry's 2017-09 template (环境保护部《重污染天气预警
#   分级标准》 2017-09-20), adopted by 《山西省重污染天气应急预案》 as revised in 2018-02: blue >200 for
#   1 day; yellow >200 for 2 days (48 h); orange >200 for 3 days (72 h) and >300 for 1 day; red >200
#   for 4 days (96 h) and >300 for 2 days (48 h), or 500 for 1 day. The month is documented, the day
#   is not: 2018-02-01 is used.
RULE_SETS = [
    {
        "code": "shanxi-2018",
        "name": "山西省重污染天气应急预案（2018年修订，蓝黄橙红四级）",
        "effective_from": dt.date(2018, 2, 1),
        "lift_after_hours": 36,
        "levels": [
            {"level": "blue", "any": [[[">", 200, 24]]]},
            {"level": "yellow", "any": [[[">", 200, 48]]]},
            {"level": "orange", "any": [[[">", 200, 72], [">", 300, 24]]]},
            {"level": "red", "any": [[[">", 200, 96], [">", 300, 48]], [[">=", 500, 24]]]},
        ],
        "source": "《山西省重污染天气应急预案》(2018年2月修订)，参照环境保护部《重污染天气预警分级标准》(2017-09-20)。",
    },
    {
        "code": "shanxi-2020",
        "name": "山西省及各市重污染天气应急预案（2020年修订，黄橙红三级）",
        "effective_from": dt.date(2020, 6, 9),
        "lift_after_hours": 36,
        "levels": [
            {"level": "yellow", "any": [[[">", 200, 48]]]},
            {"level": "orange", "any": [[[">", 200, 72]]]},
            {"level": "red", "any": [[[">", 200, 96], [">", 300, 48]], [[">=", 500, 1]]]},
        ],
        "source": "《山西省重污染天气应急预案》(2020-06-09)；《忻州市重污染天气应急预案》(2020-11)；"
        "《太原市重污染天气应急预案》(2019-10) 3.4.2 预警解除。",
    },
    {
        "code": "national-2024",
        "name": "关于进一步优化重污染天气应对机制的指导意见（环大气〔2024〕6号）",
        "effective_from": dt.date(2024, 1, 23),
        "lift_after_hours": 36,
        "levels": [
            {"level": "yellow", "any": [[[">", 200, 1]], [[">", 150, 48]]]},
            {"level": "orange", "any": [[[">", 200, 48]], [[">", 150, 72]]]},
            {"level": "red", "any": [[[">", 200, 72], [">", 300, 24]]]},
        ],
        "source": "生态环境部《关于进一步优化重污染天气应对机制的指导意见》(环大气〔2024〕6号)，2024-01-23。",
    },
]


def seed(model):
    """Create or update the rule sets above (idempotent); `model` is WarningRuleSet or its migration state."""
    for spec in RULE_SETS:
        model.objects.update_or_create(code=spec["code"], defaults={k: v for k, v in spec.items() if k != "code"})


@dataclass(frozen=True)
class Rules:
    levels: tuple  # ((level, ((clause, …), …)), …) from lowest to highest
    lift_after_hours: int = 36
    name: str = ""

    @classmethod
    def from_data(cls, levels, lift_after_hours=36, name=""):
        parsed = []
        for entry in levels:
            alternatives = tuple(tuple((op, int(aqi), float(hours)) for op, aqi, hours in alt) for alt in entry["any"])
            parsed.append((entry["level"], alternatives))
        parsed.sort(key=lambda item: LEVEL_ORDER.index(item[0]))
        return cls(tuple(parsed), int(lift_after_hours), name)

    @classmethod
    def from_model(cls, rule_set):
        return cls.from_data(rule_set.levels, rule_set.lift_after_hours, rule_set.name)

    def clauses(self):
        for _level, alternatives in self.levels:
            for alternative in alternatives:
                yield from alternative


@dataclass(frozen=True)
class Segment:
    """A forecast value over a period: a daily forecast is a 24-hour segment."""

    start: dt.datetime
    end: dt.datetime
    aqi: int

    @property
    def hours(self):
        return (self.end - self.start).total_seconds() / 3600


@dataclass(frozen=True)
class Episode:
    start: dt.datetime  # first polluted hour
    end: dt.datetime  # end of the last polluted hour
    in_force_until: dt.datetime  # when the forecast lets the warning be lifted (or the series ends)
    level: str | None
    segments: tuple


def _holds(op, threshold, aqi):
    return aqi >= threshold if op == ">=" else aqi > threshold


def _zone():
    return zoneinfo.ZoneInfo(settings.TIME_ZONE)


def daily_segments(series):
    """Segments of a {date: forecast daily AQI} mapping (local days)."""
    zone = _zone()
    segments = []
    for day, value in sorted(series.items()):
        if value is None:
            continue
        start = dt.datetime.combine(day, dt.time(0), tzinfo=zone)
        segments.append(Segment(start, start + dt.timedelta(days=1), int(value)))
    return segments


def episodes(segments, rules):
    """The pollution episodes of a forecast, each with its level per `rules`."""
    segments = sorted(segments, key=lambda s: s.start)
    if not segments:
        return []
    clauses = list(rules.clauses())
    bridge = dt.timedelta(hours=rules.lift_after_hours)
    groups = []
    for segment in segments:
        if not any(_holds(op, aqi, segment.aqi) for op, aqi, _hours in clauses):
            continue
        if groups and segment.start - groups[-1][-1].end <= bridge:
            groups[-1].append(segment)
        else:
            groups.append([segment])
    series_end = max(s.end for s in segments)
    found = []
    for group in groups:
        end = group[-1].end
        # Lifted only when the forecast shows more than `bridge` of clean air after the episode.
        in_force_until = end if series_end - end > bridge else series_end
        members = [s for s in segments if group[0].start <= s.start < end]
        found.append(Episode(group[0].start, end, in_force_until, _level_of(members, rules), tuple(members)))
    return found


def _level_of(segments, rules):
    best = None
    for level, alternatives in rules.levels:
        for alternative in alternatives:
            if all(_hours_where(segments, op, aqi) >= max(hours, 1e-9) for op, aqi, hours in alternative):
                best = level
                break
    return best


def _hours_where(segments, op, threshold):
    """The longest run of consecutive hours in which the AQI is `op threshold`.

    The plans' durations are 持续 ("AQI>200 持续48小时"): hours that follow each other, not hours
    summed over an episode with clean spells between them. A run is not cut at midnight: the
    guidance counts 24-hour windows across natural days (可跨自然日), so segments finer than a
    day (12-hour or hourly forecasts) join into one run wherever they start.
    """
    longest = current = 0.0
    run_end = None
    for segment in sorted(segments, key=lambda s: s.start):
        if not _holds(op, threshold, segment.aqi):
            run_end, current = None, 0.0
            continue
        current = current + segment.hours if run_end == segment.start else segment.hours
        run_end = segment.end
        longest = max(longest, current)
    return longest


def assess(segments, when, rules):
    """The episode in force at `when` (an instant, or a date meaning any time of that local day), or None."""
    if isinstance(when, dt.datetime):
        start, end = when, when + dt.timedelta(microseconds=1)
    else:
        start = dt.datetime.combine(when, dt.time(0), tzinfo=_zone())
        end = start + dt.timedelta(days=1)
    chosen = None
    for episode in episodes(segments, rules):
        if not (episode.level and episode.start < end and start < episode.in_force_until):
            continue
        if chosen is None or LEVEL_ORDER.index(episode.level) > LEVEL_ORDER.index(chosen.level):
            chosen = episode
    return chosen


def warning_level(segments, when, rules):
    """The warning level ("yellow", …) in force at `when` per `rules`, or None."""
    episode = assess(segments, when, rules)
    return episode.level if episode else None


def rules_in_force(day):
    """The WarningRuleSet in force on `day`, or None before the first."""
    from .models import WarningRuleSet

    if isinstance(day, dt.datetime):
        day = day.astimezone(_zone()).date()
    return WarningRuleSet.objects.filter(effective_from__lte=day).order_by("-effective_from").first()


def level_on(series, day, rule_set=None):
    """The level for a city's daily forecast series ({date: AQI}) on `day`, by the rules in force that day."""
    rule_set = rule_set or rules_in_force(day)
    if rule_set is None:
        return None
    rules = rule_set if isinstance(rule_set, Rules) else Rules.from_model(rule_set)
    return warning_level(daily_segments(series), day, rules)


def levels_by_day(series, days, rule_sets=None):
    """{day: level} for several days, each by its own rules; `rule_sets` is all WarningRuleSets (one query)."""
    from .models import WarningRuleSet

    sets = list(rule_sets if rule_sets is not None else WarningRuleSet.objects.order_by("effective_from"))
    segments = daily_segments(series)
    result = {}
    for day in days:
        applicable = [s for s in sets if s.effective_from <= day]
        result[day] = warning_level(segments, day, Rules.from_model(applicable[-1])) if applicable else None
    return result
