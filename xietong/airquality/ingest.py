"""Ingestion of hourly readings in the field names of the national real-time feed.

One path for every channel (CSV upload, JSON API, management command, demo):

1. every row is parsed and checked; a row that cannot be placed (unknown station, a
   timepoint that is not an hour, a station the sender may not write) makes the whole
   delivery fail with a message per line, and nothing is stored;
2. a value that cannot be used (missing "—", not a number, negative, implausible) is
   flagged and kept with its row, never dropped; the result lists each flagged row;
3. rows are upserted on (station, hour): re-sending a station-hour replaces it.
   On PostgreSQL the rows go through COPY into a temporary table and one
   INSERT … ON CONFLICT DO UPDATE (the only way to take a million rows in seconds);
   elsewhere through bulk_create with update_conflicts, in batches;
4. after commit, the daily values of the changed station-days are recomputed.
"""

import csv
import datetime as dt
import io
import json
import math
import re
import zoneinfo
from dataclasses import dataclass, field

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from xietong.core import outbox, timeline
from xietong.core.access import has_role
from xietong.core.models import Role

from .models import FLAG_BITS, POLLUTANTS, Flag, IngestBatch, Reading, Source, Station

# Header names accepted for each field (lower case, spaces removed). The feed's own names first.
ALIASES = {
    "stationcode": ("stationcode", "station_code", "监测点编码", "站点编码"),
    "timepoint": ("timepoint", "time_point", "时间"),
    "so2": ("so2",),
    "no2": ("no2",),
    "pm10": ("pm10",),
    "pm25": ("pm2_5", "pm25", "pm2.5"),
    "co": ("co",),
    "o3": ("o3",),
}
_HEADER_TO_FIELD = {alias: name for name, aliases in ALIASES.items() for alias in aliases}

# How the feed writes "no value".
MISSING_TOKENS = frozenset({"", "—", "-", "--", "——", "－", "NA", "N/A", "na", "null", "NULL", "None", "nan", "NaN"})

# Values above these are not air: far above anything measured in ambient air in China
# (dust storms bring PM10 into the thousands, hence the generous limits), so they mean
# a unit or instrument error, e.g. CO sent in µg/m³ instead of mg/m³.
IMPOSSIBLE_ABOVE = {"so2": 10000.0, "no2": 5000.0, "pm10": 10000.0, "pm25": 5000.0, "co": 150.0, "o3": 2000.0}

REPORT_LIMIT = 1000  # flagged rows described one by one; beyond that only counted
PROBLEM_LIMIT = 50  # lines quoted in the message of a rejected delivery
CHUNK_ROWS = 50_000
_NAN = float("nan")

_TIMEPOINT = re.compile(
    r"^(\d{4})[-/](\d{1,2})[-/](\d{1,2})[ T](\d{1,2})(?::(\d{1,2}))?(?::(\d{1,2}))?(?:\.\d+)?\s*(Z|[+-]\d{2}:?\d{2})?$"
)


class IngestError(Exception):
    """The delivery cannot be accepted as a whole; nothing was stored."""

    def __init__(self, message, problems=(), problem_count=None):
        super().__init__(message)
        self.message = message
        self.problems = list(problems)[:PROBLEM_LIMIT]
        self.problem_count = problem_count if problem_count is not None else len(self.problems)


@dataclass
class RowReport:
    line: int
    station: str
    timepoint: str
    flags: dict  # pollutant -> Flag
    values: dict  # pollutant -> the text as sent, for flagged pollutants
    note: str = ""


@dataclass
class IngestResult:
    batch: IngestBatch
    received: int = 0
    created: int = 0
    replaced: int = 0
    unchanged: int = 0
    duplicates: int = 0
    flagged_count: int = 0
    flagged: list = field(default_factory=list)  # RowReport, at most REPORT_LIMIT
    station_ids: list = field(default_factory=list)  # stations with new or replaced hours
    first_day: dt.date | None = None
    last_day: dt.date | None = None

    @property
    def stored(self):
        return self.created + self.replaced


# --- reading the input ---------------------------------------------------------------------------------------


def decode(data):
    """Text of an uploaded file: UTF-8 (with or without BOM) or GB18030, what Chinese office software writes."""
    if isinstance(data, str):
        return data.lstrip("\ufeff")
    if not data.strip():
        raise IngestError(_("The file is empty."))
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError:
            continue
        if "\x00" not in text:
            return text
    raise IngestError(_("The file is not readable text: save it as CSV (UTF-8 or GB18030) and upload it again."))


def _field_for(header):
    return _HEADER_TO_FIELD.get(header.strip().lower().replace(" ", ""))


def _check_header(names):
    missing = [n for n in ("stationcode", "timepoint") if n not in names]
    if missing:
        raise IngestError(
            _("The first line must name the columns; missing: %(columns)s.") % {"columns": ", ".join(missing)}
        )
    if not any(p in names for p in POLLUTANTS):
        raise IngestError(
            _("No pollutant column found; expected some of %(columns)s.") % {"columns": "so2, no2, pm10, pm2_5, co, o3"}
        )


def csv_rows(data):
    """(line, stationcode, timepoint, [so2, no2, pm10, pm25, co, o3]) for each row of a CSV text or bytes."""
    text = decode(data)
    if not text.strip():
        raise IngestError(_("The file is empty."))
    try:
        dialect = csv.Sniffer().sniff(text[:4096], delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    reader = csv.reader(io.StringIO(text), dialect)
    try:
        header = next(reader)
    except (StopIteration, csv.Error):
        raise IngestError(_("The file is empty."))
    index = {}
    for position, name in enumerate(header):
        field_name = _field_for(name)
        if field_name and field_name not in index:
            index[field_name] = position
    _check_header(index)
    return _iter_csv(reader, index, len(header))


def _iter_csv(reader, index, width):
    code_at, time_at = index["stationcode"], index["timepoint"]
    value_at = [index.get(p) for p in POLLUTANTS]
    try:
        for row in reader:
            line = reader.line_num
            if not row or (len(row) == 1 and not row[0].strip()):
                continue
            if len(row) != width:
                yield (
                    line,
                    None,
                    None,
                    _("Line %(line)d has %(found)d fields where the header has %(expected)d.")
                    % {
                        "line": line,
                        "found": len(row),
                        "expected": width,
                    },
                )
                continue
            yield line, row[code_at], row[time_at], [row[i] if i is not None else None for i in value_at]
    except csv.Error as error:
        raise IngestError(
            _("The file is not valid CSV near line %(line)d: %(error)s")
            % {
                "line": reader.line_num,
                "error": error,
            }
        )


def json_rows(items):
    """The same tuples from the JSON API's list of objects (feed field names, numbers or strings)."""
    for line, item in enumerate(items, start=1):
        if not isinstance(item, dict):
            yield line, None, None, _("Item %(line)d is not an object.") % {"line": line}
            continue
        fields = {}
        for key, value in item.items():
            name = _field_for(str(key))
            if name and name not in fields:
                fields[name] = value
        yield (
            line,
            fields.get("stationcode"),
            fields.get("timepoint"),
            [fields.get(p) for p in POLLUTANTS],
        )


# --- checking values -----------------------------------------------------------------------------------------


# The national real-time feed began in 2013; a reading cannot end later than the hour in progress
# (with a day of slack for clocks and time zones of senders).
FIRST_READING = dt.datetime(2013, 1, 1, tzinfo=dt.UTC)
READING_LEAD = dt.timedelta(days=1)


class _Timepoints:
    """Parses feed timepoints (hour-ending local time) once per distinct text: a file repeats each hour per station."""

    def __init__(self):
        self.zone = zoneinfo.ZoneInfo(settings.TIME_ZONE)
        self.cache = {}

    def parse(self, text):
        """(aware datetime, ISO text, natural day, hours since the epoch) or a message."""
        key = text if isinstance(text, str) else str(text)
        hit = self.cache.get(key)
        if hit is None:
            hit = self.cache[key] = self._parse(key.strip())
        return hit

    def _parse(self, text):
        match = _TIMEPOINT.match(text)
        if not match:
            return _("Timepoint “%(value)s” is not a date and hour such as 2022-07-01 13:00.") % {"value": text}
        year, month, day, hour, minute, second = (int(g or 0) for g in match.groups()[:6])
        offset = match.group(7)
        if minute or second:
            return _("Timepoint “%(value)s” is not on the hour.") % {"value": text}
        if offset is None:
            zone = self.zone
        elif offset == "Z":
            zone = dt.UTC
        else:
            sign = -1 if offset[0] == "-" else 1
            digits = offset[1:].replace(":", "")
            zone = dt.timezone(sign * dt.timedelta(hours=int(digits[:2]), minutes=int(digits[2:])))
        try:
            # The feed writes the hour ending at midnight as 24:00 of the day it closes.
            extra = dt.timedelta(hours=1) if hour == 24 else dt.timedelta(0)
            at = dt.datetime(year, month, day, hour - 1 if hour == 24 else hour, tzinfo=zone) + extra
            in_range = FIRST_READING <= at <= timezone.now() + READING_LEAD
        except ValueError:
            return _("Timepoint “%(value)s” is not a date and hour such as 2022-07-01 13:00.") % {"value": text}
        except OverflowError:  # the first or last hours of the calendar in another time zone
            in_range = False
        if not in_range:
            # Also keeps the day arithmetic below (and later) away from the ends of the calendar.
            return _("Timepoint “%(value)s” is out of range: readings are from %(first)s up to the current hour.") % {
                "value": text,
                "first": FIRST_READING.date().isoformat(),
            }
        local = at.astimezone(self.zone)
        natural_day = (local - dt.timedelta(hours=1)).date()
        return at, local.isoformat(sep=" "), natural_day, int(at.timestamp()) // 3600


def check_value(pollutant, value):
    """(number or None, Flag, text to keep or None) for one value as sent."""
    if value is None:
        return None, Flag.MISSING, None
    if isinstance(value, bool):
        return None, Flag.NOT_A_NUMBER, str(value)
    if isinstance(value, (int, float)):
        number = float(value)
        text = None
    else:
        text = str(value).strip()
        if text in MISSING_TOKENS:
            return None, Flag.MISSING, None
        try:
            number = float(text)
        except ValueError:
            return None, Flag.NOT_A_NUMBER, text[:50]
    if math.isnan(number) or math.isinf(number):
        return None, Flag.NOT_A_NUMBER, text or str(value)
    if number < 0:
        return number, Flag.NEGATIVE, None
    if number > IMPOSSIBLE_ABOVE[pollutant]:
        return number, Flag.IMPOSSIBLE, None
    return number, Flag.OK, None


# --- the one path -------------------------------------------------------------------------------------------


def ingest(rows, *, user=None, source=Source.CSV, filename="", recompute=True):
    """Check and store readings; returns an IngestResult or raises IngestError (then nothing is stored).

    `rows` are tuples from csv_rows() or json_rows(). With a `user`, every station must be
    one they may upload for (the office, or staff of the station's city); without one
    (management command, demo) the caller is trusted.
    """
    with transaction.atomic():
        result = _ingest(rows, user=user, source=source, filename=filename)
        if recompute and result.station_ids:
            outbox.enqueue(
                "xietong.airquality.recompute_daily",
                result.station_ids,
                result.first_day.isoformat(),
                result.last_day.isoformat(),
            )
    return result


def _ingest(rows, *, user, source, filename):
    stations = {s.code: s for s in Station.objects.select_related("city")}
    timepoints = _Timepoints()
    batch = IngestBatch.objects.create(created_by=user, source=source, filename=filename[:200])
    result = IngestResult(batch=batch)
    sink = _PostgresSink(batch) if connection.vendor == "postgresql" else _BulkSink(batch)
    seen = {}  # station id and epoch hour -> line, to report and collapse repeats within the delivery
    problems = []
    problem_count = 0
    chunk = []

    def problem(line, message):
        nonlocal problem_count
        problem_count += 1
        if len(problems) < PROBLEM_LIMIT:
            problems.append((line, message))

    def place(code):
        """The station id a row's code names, or why the row cannot be placed."""
        text = str(code).strip() if code is not None else ""
        if not text:
            return _("The station code is empty.")
        station = stations.get(text)
        if station is None:
            return _("Unknown station code “%(code)s”.") % {"code": text}
        if user is not None and not has_role(user, station.city, Role.STAFF):
            return _("You may not upload readings for station %(code)s of %(city)s.") % {
                "code": text,
                "city": station.city.display_name,
            }
        return station.pk

    # The loop below runs once per reading (a million times for a large file), so the common
    # case is kept inline: a value that parses as a number within its plausible range is
    # taken as is; anything else goes through check_value(), which decides the flag.
    limits = [IMPOSSIBLE_ABOVE[p] for p in POLLUTANTS]
    places = {}
    for line, code, timepoint, values in rows:
        result.received += 1
        if code is None and timepoint is None and values.__class__ is str:
            problem(line, values)
            continue
        code_key = code if code.__class__ is str else repr(code)
        target = places.get(code_key)
        if target is None:
            target = places[code_key] = place(code)
        if target.__class__ is str:
            problem(line, target)
            continue
        parsed = timepoints.parse(timepoint if timepoint is not None else "")
        if parsed.__class__ is str:
            problem(line, parsed)
            continue
        at, at_text, day, hour = parsed
        numbers = []
        flags = 0
        codes = kept = None
        for index, value in enumerate(values):
            try:
                number = float(value) if value.__class__ is not bool else _NAN
            except (TypeError, ValueError):
                number = _NAN
            if 0.0 <= number <= limits[index]:
                numbers.append(number)
                continue
            pollutant = POLLUTANTS[index]
            number, flag, text = check_value(pollutant, value)
            numbers.append(number)
            codes = codes or {}
            codes[pollutant] = flag
            flags |= int(flag) << (FLAG_BITS * index)
            if text is not None:
                kept = kept or {}
                kept[pollutant] = text
        note = ""
        key = (target << 32) + hour
        earlier = seen.get(key)
        if earlier is not None:
            result.duplicates += 1
            note = _("Replaces line %(line)d of this delivery.") % {"line": earlier}
        seen[key] = line
        if codes or note:
            if codes:
                result.flagged_count += 1
            if len(result.flagged) < REPORT_LIMIT:
                shown = {p: _sent_text(values[POLLUTANTS.index(p)]) for p in codes or ()}
                station_code = str(code).strip()
                result.flagged.append(RowReport(line, station_code, str(timepoint), codes or {}, shown, note))
        if problem_count:
            continue  # keep checking to report every bad line, but store nothing
        chunk.append((target, at, at_text, day, numbers, flags, kept, line))
        if len(chunk) >= CHUNK_ROWS:
            sink.add(chunk)
            chunk = []

    if problem_count:
        raise IngestError(
            _("Nothing was stored: %(count)d rows cannot be placed. Correct them and send the whole file again.")
            % {"count": problem_count},
            problems,
            problem_count,
        )
    if result.received == 0:
        raise IngestError(_("The file has a header but no readings."))
    if chunk:
        sink.add(chunk)
    created, replaced, changed = sink.finish(has_repeats=result.duplicates > 0)
    result.created, result.replaced = created, replaced
    result.unchanged = result.received - result.duplicates - created - replaced
    if changed:
        result.station_ids = sorted(changed)
        result.first_day = min(first for first, _last in changed.values())
        result.last_day = max(last for _first, last in changed.values())

    batch.rows_received = result.received
    batch.rows_created = result.created
    batch.rows_replaced = result.replaced
    batch.rows_unchanged = result.unchanged
    batch.rows_flagged = result.flagged_count
    batch.save(update_fields=["rows_received", "rows_created", "rows_replaced", "rows_unchanged", "rows_flagged"])
    timeline.record(
        batch,
        "readings_received",
        actor=user,
        changes={
            "received": result.received,
            "created": result.created,
            "replaced": result.replaced,
            "unchanged": result.unchanged,
            "flagged": result.flagged_count,
        },
        public=False,
    )
    return result


def _sent_text(value):
    if value is None:
        return ""
    return str(value).strip()[:50]


# --- writing ----------------------------------------------------------------------------------------------


class _PostgresSink:
    """COPY into a temporary table, then one INSERT … ON CONFLICT DO UPDATE into readings."""

    columns = ("station_id", "at", *POLLUTANTS, "flags", "raw", "line")

    def __init__(self, batch):
        self.batch = batch
        with connection.cursor() as cursor:
            cursor.execute("DROP TABLE IF EXISTS pg_temp.airquality_reading_staging")
            cursor.execute(
                "CREATE TEMPORARY TABLE airquality_reading_staging ("
                " station_id bigint NOT NULL, at timestamptz NOT NULL,"
                " so2 double precision, no2 double precision, pm10 double precision,"
                " pm25 double precision, co double precision, o3 double precision,"
                " flags integer NOT NULL, raw jsonb, line integer NOT NULL"
                ") ON COMMIT DROP"
            )

    def add(self, chunk):
        sql = "COPY airquality_reading_staging ({}) FROM STDIN".format(", ".join(self.columns))
        lines = []
        for station_id, _at, at_text, _day, numbers, flags, kept, line in chunk:
            values = "\t".join("\\N" if n is None else repr(n) for n in numbers)
            # COPY's text format reads backslashes as escapes; JSON has its own, so double them.
            raw = "\\N" if kept is None else json.dumps(kept, ensure_ascii=False).replace("\\", "\\\\")
            lines.append(f"{station_id}\t{at_text}\t{values}\t{flags}\t{raw}\t{line}\n")
        with connection.cursor() as cursor, cursor.cursor.copy(sql) as copy:
            copy.write("".join(lines))

    def finish(self, has_repeats):
        values = ", ".join(("station_id", "at", *POLLUTANTS, "flags", "raw"))
        compared = (*POLLUTANTS, "flags", "raw")
        updates = ", ".join(f"{c} = EXCLUDED.{c}" for c in (*compared, "batch_id"))
        stored = ", ".join(f"airquality_reading.{c}" for c in compared)
        incoming = ", ".join(f"EXCLUDED.{c}" for c in compared)
        # A station-hour sent twice in one delivery: the later line wins (ON CONFLICT may not
        # touch a row twice in one statement). Sorting by key keeps the index inserts local.
        source = (
            "SELECT DISTINCT ON (station_id, at) * FROM airquality_reading_staging ORDER BY station_id, at, line DESC"
            if has_repeats
            else "SELECT * FROM airquality_reading_staging ORDER BY station_id, at"
        )
        # Rows sent again unchanged are not rewritten (feeds re-send the last hours every hour).
        sql = f"""
            WITH written AS (
                INSERT INTO airquality_reading ({values}, batch_id)
                SELECT {values}, %s FROM ({source}) AS incoming
                ON CONFLICT (station_id, at) DO UPDATE SET {updates}
                WHERE ({stored}) IS DISTINCT FROM ({incoming})
                RETURNING station_id, at, (xmax = 0) AS inserted
            )
            SELECT station_id, count(*) FILTER (WHERE inserted), count(*), min(at), max(at)
            FROM written GROUP BY station_id
        """
        created = replaced = 0
        changed = {}
        with connection.cursor() as cursor:
            cursor.execute(sql, [self.batch.pk])
            for station_id, inserted, total, first, last in cursor.fetchall():
                created += inserted
                replaced += total - inserted
                changed[station_id] = (_natural_day(first), _natural_day(last))
            cursor.execute("DROP TABLE IF EXISTS pg_temp.airquality_reading_staging")
        return created, replaced, changed


class _BulkSink:
    """The portable path (SQLite): compare with what is stored, then bulk upsert what changed."""

    def __init__(self, batch):
        self.batch = batch
        self.rows = {}

    def add(self, chunk):
        for row in chunk:
            at = row[1]
            self.rows[(row[0], at)] = row  # the later line wins

    def finish(self, has_repeats):
        by_station = {}
        for station_id, at in self.rows:
            by_station.setdefault(station_id, []).append(at)
        existing = {}
        for station_id, hours in by_station.items():
            for start in range(0, len(hours), 500):
                part = hours[start : start + 500]
                for reading in Reading.objects.filter(station_id=station_id, at__in=part).only(
                    "station_id", "at", *POLLUTANTS, "flags", "raw"
                ):
                    existing[(station_id, reading.at)] = reading
        write = []
        created = replaced = 0
        changed = {}
        adapt_datetime = connection.ops.adapt_datetimefield_value
        for (station_id, at), (_sid, _at, _text, day, numbers, flags, kept, _line) in self.rows.items():
            old = existing.get((station_id, at))
            if old is not None:
                same = [getattr(old, p) for p in POLLUTANTS] == numbers and old.flags == flags and old.raw == kept
                if same:
                    continue
                replaced += 1
            else:
                created += 1
            raw = json.dumps(kept, ensure_ascii=False) if kept else None
            write.append((station_id, adapt_datetime(at), *numbers, flags, raw, self.batch.pk))
            first, last = changed.get(station_id, (day, day))
            changed[station_id] = (min(first, day), max(last, day))
        # A plain upsert with executemany: bulk_create prepares every value of every row
        # through the field machinery, which costs more than the insert itself here.
        columns = ("station_id", "at", *POLLUTANTS, "flags", "raw", "batch_id")
        updates = ", ".join(f"{c} = excluded.{c}" for c in (*POLLUTANTS, "flags", "raw", "batch_id"))
        sql = (
            f"INSERT INTO airquality_reading ({', '.join(columns)}) VALUES ({', '.join(['%s'] * len(columns))}) "
            f"ON CONFLICT (station_id, at) DO UPDATE SET {updates}"
        )
        with connection.cursor() as cursor:
            for start in range(0, len(write), 2000):
                cursor.executemany(sql, write[start : start + 2000])
        return created, replaced, changed


def _natural_day(at):
    from django.utils import timezone

    return timezone.localtime(at - dt.timedelta(hours=1)).date()
