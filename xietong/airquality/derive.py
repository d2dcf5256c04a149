"""Derived series and daily AQI, per the data validity rules of GB 3095-2012 (Table 4) and HJ 663-2013.

Days are natural days of local time; an hourly value belongs to the day its hour ENDS in
(hour-ending 01:00 … 24:00), as the national feed labels hours.

- 24-hour mean (SO2, NO2, PM10, PM2.5, CO): at least 20 valid hourly values in the day.
- O3 8-hour moving mean, labelled by its last hour: at least 6 valid hours of the 8.
- Daily maximum 8-hour O3: the largest of the 17 moving means ending 08:00 … 24:00, with at
  least 14 of them valid; with fewer it still stands when it exceeds the 8-hour limit of the
  station's GB 3095 area class (class 1: 100, class 2: 160 µg/m³), since more data could only
  raise it (HJ 663-2013).
- Daily maximum 1-hour O3: treated like the other daily statistics (20 valid hours), and
  likewise kept with fewer hours when it exceeds the 1-hour limit of the area class. It is an
  indicator of the HJ 633-2012 daily AQI only; HJ 633-2026 4.2.2 leaves it out.
- City values are the mean of the valid values of its stations; the cluster's the mean of
  its cities' (each city weighs the same, whatever its number of stations).
- Daily AQI (日报) from those with the `aqi` module, the edition by date (standard_for).

Everything is vectorized with NumPy over (station, day, hour) arrays, so a million readings
are turned into daily values in seconds.
"""

import datetime as dt
import zoneinfo

import numpy as np
from django.conf import settings
from django.db import connection, transaction
from django.db.models import BigIntegerField, Func
from django.utils import timezone

from xietong.core import locks
from xietong.core.models import Unit, UnitKind

from . import aqi as aqi_module
from .models import POLLUTANTS, AreaClass, AreaDay, Reading, Station, StationDay
from .standards import NOT_MONITORED_LOOKBACK_YEARS, O3_LIMITS_BY_AREA_CLASS, POLLUTED_FROM_LEVEL

MIN_HOURS_24H = 20
MIN_HOURS_8H = 6
MIN_WINDOWS_8H_MAX = 14
FIRST_8H_WINDOW_END = 8  # the daily maximum 8-hour mean looks at windows ending 08:00 … 24:00
MEANS_24H = ("so2", "no2", "pm10", "pm25", "co")
# Daily AQI inputs: aqi module key -> daily statistic field.
AQI_INPUTS = {
    "so2": "so2",
    "no2": "no2",
    "pm10": "pm10",
    "pm25": "pm25",
    "co": "co",
    "o3": "o3_1h_max",
    "o3_8h": "o3_8h_max",
}
FLAG_BITS = 3


def _zone():
    return zoneinfo.ZoneInfo(settings.TIME_ZONE)


def day_bounds(first_day, last_day):
    """(exclusive start, inclusive end) instants of the hour-ending timepoints of these days."""
    zone = _zone()
    start = dt.datetime.combine(first_day, dt.time(0), tzinfo=zone)
    end = dt.datetime.combine(last_day + dt.timedelta(days=1), dt.time(0), tzinfo=zone)
    return start, end


# --- pure statistics on arrays ------------------------------------------------------------------------------


def daily_statistics(hourly, area_class=AreaClass.TWO):
    """Daily statistics from hourly arrays.

    `hourly` maps pollutant -> float array (..., days, 24) with NaN where no valid value;
    slot 0 is the hour ending 01:00. `area_class`: the GB 3095 class of the station, or an
    array of classes broadcasting against (..., days). Returns field -> array (..., days)
    with NaN where the statistic is not valid.
    """
    classes = np.asarray(area_class)
    limit_8h = np.where(classes == AreaClass.ONE, O3_LIMITS_BY_AREA_CLASS[1]["8h"], O3_LIMITS_BY_AREA_CLASS[2]["8h"])
    limit_1h = np.where(classes == AreaClass.ONE, O3_LIMITS_BY_AREA_CLASS[1]["1h"], O3_LIMITS_BY_AREA_CLASS[2]["1h"])
    out = {}
    for pollutant in MEANS_24H:
        values = hourly[pollutant]
        count = np.sum(~np.isnan(values), axis=-1)
        with np.errstate(invalid="ignore", divide="ignore"):
            mean = np.nansum(values, axis=-1) / count
        out[pollutant] = np.where(count >= MIN_HOURS_24H, mean, np.nan)

    o3 = hourly["o3"]
    valid = ~np.isnan(o3)
    count = valid.sum(axis=-1)
    peak = np.max(np.where(valid, o3, -np.inf), axis=-1)
    out["o3_1h_max"] = np.where((count >= MIN_HOURS_24H) | ((count > 0) & (peak > limit_1h)), peak, np.nan)

    means = o3_8h_means(o3)[..., FIRST_8H_WINDOW_END - 1 :]
    windows = np.sum(~np.isnan(means), axis=-1)
    best = np.max(np.where(np.isnan(means), -np.inf, means), axis=-1)
    out["o3_8h_max"] = np.where((windows >= MIN_WINDOWS_8H_MAX) | ((windows > 0) & (best > limit_8h)), best, np.nan)
    return out


def o3_8h_means(o3, previous=None):
    """8-hour moving means ending at each hour of each day (..., days, 24); NaN with fewer than 6 valid hours.

    Windows ending 01:00 … 07:00 reach into the previous day: `previous` gives its last 7
    hours (..., days, 7); without it those windows only see the hours of the day itself.
    """
    if previous is None:
        previous = np.full((*o3.shape[:-1], 7), np.nan)
    hours = np.concatenate([previous, o3], axis=-1)  # (..., days, 31)
    valid = ~np.isnan(hours)
    sums = np.concatenate([np.zeros((*hours.shape[:-1], 1)), np.cumsum(np.where(valid, hours, 0.0), axis=-1)], -1)
    counts = np.concatenate([np.zeros((*hours.shape[:-1], 1)), np.cumsum(valid, axis=-1)], axis=-1)
    ends = np.arange(7, 31) + 1
    window_sum = sums[..., ends] - sums[..., ends - 8]
    window_count = counts[..., ends] - counts[..., ends - 8]
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(window_count >= MIN_HOURS_8H, window_sum / window_count, np.nan)


def daily_aqi(days, statistics, not_monitored=None, primary_recently=None):
    """Daily AQI of rows: `days` (n,) dates, `statistics` field -> (n,) arrays (NaN = missing).

    Each row follows the daily report of the edition in force on its day (HJ 633-2012: seven
    indicators with the daily maximum 1-hour O3; HJ 633-2026 4.2.2: six, without it).
    `not_monitored` / `primary_recently`: per row, the pollutants outside the programme and,
    of those, the ones that were the primary pollutant of a polluted day within three years
    (HJ 633-2026 5.3.2). Returns a list of dicts with the IAQI per pollutant (None where not
    computed or not an indicator), published and computed AQI, level, primary pollutants and
    the edition used.
    """
    n = len(days)
    not_monitored = not_monitored or [()] * n
    primary_recently = primary_recently or [()] * n
    results = [None] * n
    by_standard = {}
    for index, day in enumerate(days):
        by_standard.setdefault(aqi_module.standard_for(day).code, []).append(index)
    for code, indexes in by_standard.items():
        standard = aqi_module.get_standard(code)
        used = standard.indicators["24h"]
        rows = np.asarray(indexes)
        inputs = {key: np.asarray(statistics[field], dtype=np.float64)[rows] for key, field in AQI_INPUTS.items()}
        iaqi = {}
        for key in used:
            extra = {"o3_1h": inputs["o3"]} if key == "o3_8h" else {}
            iaqi[key] = aqi_module.iaqi_array(key, inputs[key], "24h", standard, **extra)
        waived = {
            species: np.array([species in not_monitored[r] and species not in primary_recently[r] for r in indexes])
            for species in POLLUTANTS
        }
        published = aqi_module.aqi_array(inputs, "24h", standard, waived=waived)
        computed = np.stack(list(iaqi.values())).max(axis=0)
        for position, row in enumerate(indexes):
            sub = dict.fromkeys(AQI_INPUTS)
            sub.update({key: (int(v[position]) if v[position] >= 0 else None) for key, v in iaqi.items()})
            value = int(published[position]) if published[position] >= 0 else None
            best = int(computed[position]) if computed[position] >= 0 else None
            primary = []
            if value is not None and value > 50:
                primary = [key for key, v in sub.items() if v == value]
                if "o3" in primary and "o3_8h" in primary:
                    # A tie of the two O3 statistics can be one sub-index reported twice
                    # (HJ 633-2012 note 3); the scalar path knows which.
                    concentrations = {key: _none_if_nan(inputs[key][position]) for key in inputs}
                    primary = list(aqi_module.aqi(concentrations, "24h", standard).primary)
            category = aqi_module.category_for(value)
            results[row] = {
                "iaqi": sub,
                "aqi": value,
                "computed_aqi": best,
                "level": category[0] if category else None,
                "primary": primary,
                "not_monitored": [p for p in POLLUTANTS if p in not_monitored[row]],
                "standard": code,
            }
    return results


def _none_if_nan(value):
    return None if np.isnan(value) else float(value)


# --- recomputing stored values --------------------------------------------------------------------------------


RECOMPUTE_LOCK = "airquality.recompute"


def recompute(station_ids, first_day, last_day):
    """Recompute the stored daily values of these stations and days, and of their cities and the cluster."""
    if isinstance(first_day, str):
        first_day = dt.date.fromisoformat(first_day)
    if isinstance(last_day, str):
        last_day = dt.date.fromisoformat(last_day)
    with transaction.atomic():
        # Serializes recomputations: two running at once for stations of one city could
        # each average the city from the other's not yet committed station days.
        locks.hold(RECOMPUTE_LOCK)
        stations = list(Station.objects.filter(pk__in=station_ids).order_by("pk"))
        if not stations:
            return 0
        written = _recompute_stations(stations, first_day, last_day)
        city_ids = sorted({s.city_id for s in stations})
        _recompute_cities(city_ids, first_day, last_day)
        _recompute_cluster(first_day, last_day)
    return written


def _recompute_stations(stations, first_day, last_day):
    start, end = day_bounds(first_day, last_day)
    position = {s.pk: i for i, s in enumerate(stations)}
    n_days = (last_day - first_day).days + 1
    shape = (len(stations), n_days * 24)
    rows = list(
        Reading.objects.filter(station_id__in=list(position), at__gt=start, at__lte=end)
        .annotate(epoch=EpochSeconds("at"))
        .values_list("station_id", "epoch", *POLLUTANTS, "flags")
    )
    if not rows:
        return 0
    columns = list(zip(*rows, strict=True))
    station_index = np.fromiter((position[s] for s in columns[0]), dtype=np.int64, count=len(rows))
    slot = (np.asarray(columns[1], dtype=np.int64) - int(start.timestamp())) // 3600 - 1
    flags = np.asarray(columns[8], dtype=np.int64)
    hourly = {}
    for index, pollutant in enumerate(POLLUTANTS):
        values = np.array(columns[2 + index], dtype=np.float64)
        usable = ((flags >> (FLAG_BITS * index)) & 7) == 0
        grid = np.full(shape, np.nan)
        keep = usable & ~np.isnan(values)
        grid[station_index[keep], slot[keep]] = values[keep]
        hourly[pollutant] = grid.reshape(len(stations), n_days, 24)
    received = np.zeros(shape, dtype=np.int16)
    received[station_index, slot] = 1
    hours = received.reshape(len(stations), n_days, 24).sum(axis=-1)

    classes = np.array([s.area_class for s in stations]).reshape(len(stations), 1)
    stats = daily_statistics(hourly, classes)
    present = np.argwhere(hours > 0)  # station-days with at least one reading
    days = [first_day + dt.timedelta(days=int(d)) for d in present[:, 1]]
    flat = {field: stats[field][present[:, 0], present[:, 1]] for field in stats}
    outside = [set(stations[s].not_monitored) for s in present[:, 0]]
    recent = _primary_recently(stations, first_day, last_day)
    blocking = [
        {
            p
            for p in outside[i]
            if any(_lookback_start(day) <= d < day for d in recent.get((stations[s].city_id, p), ()))
        }
        for i, (s, day) in enumerate(zip(present[:, 0], days, strict=True))
    ]
    results = daily_aqi(days, flat, outside, blocking)
    now = timezone.now()
    rows = [
        {"station_id": stations[s].pk, "day": days[i], "hours": int(hours[s, d]), **_fields(flat, i, results[i], now)}
        for i, (s, d) in enumerate(present)
    ]
    _upsert(StationDay, ["station_id", "day"], rows)
    return len(rows)


def _lookback_start(day):
    """The first day of the look-back of HJ 633-2026 5.3.2 before `day` (three years)."""
    year = max(day.year - NOT_MONITORED_LOOKBACK_YEARS, dt.MINYEAR)
    return day.replace(year=year, day=min(day.day, 28) if day.month == 2 else day.day)


def _primary_recently(stations, first_day, last_day):
    """{(city id, pollutant): [days]} on which a pollutant some station does not measure was the
    primary pollutant of the city's polluted day, over the look-back of HJ 633-2026 5.3.2."""
    wanted = {(s.city_id, p) for s in stations for p in s.not_monitored}
    if not wanted:
        return {}
    rows = AreaDay.objects.filter(
        unit_id__in={city for city, _p in wanted},
        day__gte=_lookback_start(first_day),
        day__lt=last_day,
        level__gte=POLLUTED_FROM_LEVEL,
    ).values_list("unit_id", "day", "primary")
    found = {}
    for unit_id, day, primary in rows:
        for key in filter(None, primary.split(",")):
            pollutant = "o3" if key == "o3_8h" else key
            if (unit_id, pollutant) in wanted:
                found.setdefault((unit_id, pollutant), []).append(day)
    return found


def _fields(statistics, i, result, now):
    values = {field: _none_if_nan(statistics[field][i]) for field in StationDay.CONCENTRATION_FIELDS}
    for key, field in StationDay.IAQI_FIELDS.items():
        values[field] = result["iaqi"][key]
    values.update(
        aqi=result["aqi"],
        computed_aqi=result["computed_aqi"],
        level=result["level"],
        primary=",".join(result["primary"]),
        not_monitored=",".join(result["not_monitored"]),
        standard=result["standard"],
        computed_at=now,
    )
    return values


def _upsert(model, unique_columns, rows):
    """Insert or update rows (dicts of column values) on their unique columns, in one executemany.

    Portable SQL (PostgreSQL and SQLite ≥ 3.24 both have ON CONFLICT); bulk_create would
    prepare each of the 25 values of tens of thousands of rows through the field machinery.
    """
    if not rows:
        return
    ops = connection.ops
    columns = list(rows[0])
    adapt = {"day": ops.adapt_datefield_value, "computed_at": ops.adapt_datetimefield_value}
    quoted = [ops.quote_name(c) for c in columns]
    updates = ", ".join(
        f"{ops.quote_name(c)} = excluded.{ops.quote_name(c)}" for c in columns if c not in unique_columns
    )
    sql = (
        f"INSERT INTO {ops.quote_name(model._meta.db_table)} ({', '.join(quoted)}) "
        f"VALUES ({', '.join(['%s'] * len(columns))}) "
        f"ON CONFLICT ({', '.join(ops.quote_name(c) for c in unique_columns)}) DO UPDATE SET {updates}"
    )
    values = [tuple(adapt[c](row[c]) if c in adapt else row[c] for c in columns) for row in rows]
    with connection.cursor() as cursor:
        for start in range(0, len(values), 2000):
            cursor.executemany(sql, values[start : start + 2000])


class EpochSeconds(Func):
    """Seconds since 1970 of a datetime column, computed by the database: turning a million
    timestamps into Python datetimes would cost more than the rest of the recomputation."""

    output_field = BigIntegerField()
    template = "CAST(EXTRACT(EPOCH FROM %(expressions)s) AS bigint)"

    def as_sqlite(self, compiler, connection, **extra):
        # SQLite keeps UTC text; julianday() reads it, and rounding removes the float's last bits.
        template = "CAST(ROUND((julianday(%(expressions)s) - 2440587.5) * 86400) AS integer)"
        return self.as_sql(compiler, connection, template=template, **extra)


def _area_values(groups, first_day, last_day, outside=None):
    """Means of member rows per (area, day): groups maps area id -> list of member daily rows.

    `outside`: area id -> the pollutants none of its members measure (shown "/"; they do not
    hold back the area's AQI, whose members' programmes were already weighed station by station).
    """
    outside = outside or {}
    keys, days, stats, counts = [], [], {f: [] for f in StationDay.CONCENTRATION_FIELDS}, []
    not_monitored = []
    for area_id, rows in groups.items():
        by_day = {}
        for row in rows:
            by_day.setdefault(row["day"], []).append(row)
        for day in sorted(by_day):
            members = by_day[day]
            keys.append(area_id)
            days.append(day)
            counts.append(len(members))
            not_monitored.append(set(outside.get(area_id, ())))
            for field in StationDay.CONCENTRATION_FIELDS:
                present = [m[field] for m in members if m[field] is not None]
                stats[field].append(sum(present) / len(present) if present else np.nan)
    arrays = {f: np.asarray(v, dtype=np.float64) for f, v in stats.items()}
    return keys, days, arrays, counts, not_monitored


def _write_areas(keys, days, arrays, counts, not_monitored):
    if not keys:
        return
    results = daily_aqi(days, arrays, not_monitored)
    now = timezone.now()
    rows = [
        {"unit_id": keys[i], "day": days[i], "stations": counts[i], **_fields(arrays, i, results[i], now)}
        for i in range(len(keys))
    ]
    _upsert(AreaDay, ["unit_id", "day"], rows)


def _recompute_cities(city_ids, first_day, last_day):
    groups = {city_id: [] for city_id in city_ids}
    rows = StationDay.objects.filter(
        station__city_id__in=city_ids, day__gte=first_day, day__lte=last_day, hours__gt=0
    ).values("station__city_id", "day", *StationDay.CONCENTRATION_FIELDS)
    for row in rows:
        groups[row["station__city_id"]].append(row)
    _write_areas(*_area_values(groups, first_day, last_day, _city_outside(city_ids)))


def _city_outside(city_ids):
    """{city id: pollutants that none of its stations measure}."""
    monitored = {city_id: set() for city_id in city_ids}
    for city_id, programme in Station.objects.filter(city_id__in=city_ids).values_list("city_id", "programme"):
        monitored[city_id] |= set(programme.split(","))
    return {city_id: {p for p in POLLUTANTS if p not in found} for city_id, found in monitored.items()}


def cluster_unit():
    """The unit that stands for the whole cluster: the coordination office at the root of the tree."""
    return Unit.objects.filter(kind=UnitKind.OFFICE, parent__isnull=True).order_by("pk").first()


def _recompute_cluster(first_day, last_day):
    office = cluster_unit()
    if office is None:
        return
    rows = AreaDay.objects.filter(
        unit__kind=UnitKind.CITY, unit__path__startswith=office.path, day__gte=first_day, day__lte=last_day
    ).values("day", *StationDay.CONCENTRATION_FIELDS)
    city_ids = list(Unit.objects.filter(kind=UnitKind.CITY, path__startswith=office.path).values_list("pk", flat=True))
    everywhere = set.intersection(*_city_outside(city_ids).values()) if city_ids else set()
    _write_areas(*_area_values({office.pk: list(rows)}, first_day, last_day, {office.pk: everywhere}))


def recompute_all():
    """Everything from scratch (after a change of rules or a restore)."""
    from django.db.models import Max, Min

    span = Reading.objects.aggregate(first=Min("at"), last=Max("at"))
    if span["first"] is None:
        return 0
    first = timezone.localtime(span["first"] - dt.timedelta(hours=1)).date()
    last = timezone.localtime(span["last"] - dt.timedelta(hours=1)).date()
    return recompute(list(Station.objects.values_list("pk", flat=True)), first, last)


# --- hourly series for one station ----------------------------------------------------------------------------


def hourly_series(station, day):
    """The 24 hours of a station's day with flags, and the O3 8-hour moving means ending at each hour."""
    start, end = day_bounds(day - dt.timedelta(days=1), day)
    readings = list(Reading.objects.filter(station=station, at__gt=start, at__lte=end).order_by("at"))
    epoch0 = start.timestamp()
    o3 = np.full(48, np.nan)
    by_slot = {}
    for reading in readings:
        slot = int(reading.at.timestamp() - epoch0) // 3600 - 1
        if reading.o3 is not None and not reading.flag_codes.get("o3"):
            o3[slot] = reading.o3
        if slot >= 24:
            by_slot[slot - 24] = reading
    means = o3_8h_means(o3[24:].reshape(1, 24), previous=o3[17:24].reshape(1, 7))[0]
    hours = []
    for slot in range(24):
        hours.append(
            {
                "hour": slot + 1,
                "reading": by_slot.get(slot),
                "o3_8h": None if np.isnan(means[slot]) else round(float(means[slot]), 1),
            }
        )
    return hours
