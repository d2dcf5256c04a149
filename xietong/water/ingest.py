"""Samples from a CSV file or the JSON API, one path for both.

1. every row is parsed; a row that cannot be placed (unknown section, a time that is not a
   time, a section the sender may not write) fails the whole delivery with a message per
   line, and nothing is stored;
2. a value that cannot be used as measured is flagged and kept, never dropped: below the
   detection limit ("ND", "未检出", "<0.01", "0.01L" as Chinese reports write it), negative,
   impossible (far beyond any surface water), or text that is not a number;
3. rows are upserted on (section, sampled at): a re-sent sample replaces the one stored.

A blank cell is a parameter that was not measured (monthly manual sampling covers a few
items), not a flag.
"""

import csv
import datetime as dt
import io
import math
import re
import zoneinfo
from dataclasses import dataclass, field

from django.conf import settings
from django.db import transaction
from django.utils.translation import gettext as _

from .grading import PARAMETERS
from .models import FIELDS, MEASURED, VALUE_FIELDS, Flag, IngestBatch, Mode, Sample, Section

ALIASES = {
    "section": ("section", "sectioncode", "section_code", "断面编码", "断面代码"),
    "sampled_at": ("sampled_at", "time", "timepoint", "采样时间", "监测时间"),
    "mode": ("mode", "监测方式"),
    "ph": ("ph", "ph值"),
    "do": ("do", "溶解氧"),
    "codmn": ("codmn", "高锰酸盐指数"),
    "cod": ("cod", "化学需氧量"),
    "bod5": ("bod5", "五日生化需氧量"),
    "nh3n": ("nh3n", "nh3-n", "氨氮"),
    "tp": ("tp", "总磷"),
    "tn": ("tn", "总氮"),
    "cu": ("cu", "铜"),
    "zn": ("zn", "锌"),
    "f": ("f", "氟化物"),
    "se": ("se", "硒"),
    "as_": ("as_", "as", "砷"),
    "hg": ("hg", "汞"),
    "cd": ("cd", "镉"),
    "cr6": ("cr6", "cr6+", "六价铬", "铬（六价）", "铬(六价)"),
    "pb": ("pb", "铅"),
    "cn": ("cn", "氰化物"),
    "phenol": ("phenol", "挥发酚"),
    "oil": ("oil", "石油类"),
    "las": ("las", "阴离子表面活性剂"),
    "s2": ("s2", "硫化物"),
    "fecal_coliform": ("fecal_coliform", "粪大肠菌群"),
    "wt": ("wt", "水温", "water_temperature", "temperature"),
    "flow": ("flow", "流量"),
}
_HEADER_TO_FIELD = {alias: name for name, aliases in ALIASES.items() for alias in aliases}

MISSING_TOKENS = frozenset({"—", "-", "--", "——", "－", "NA", "N/A", "na", "null", "NULL", "None", "nan", "NaN"})
NOT_DETECTED_TOKENS = frozenset({"nd", "n.d.", "未检出", "l"})
_BELOW_LIMIT = re.compile(r"^(?:<\s*([0-9.]+(?:[eE]-?\d+)?)|([0-9.]+(?:[eE]-?\d+)?)\s*[lL])$")

# Values beyond these are not surface water but a unit or transcription error (µg/L sent as
# mg/L, a misplaced decimal point): ten times class V or far above anything measured.
IMPOSSIBLE_ABOVE = {
    "ph": 14.0,
    "do": 20.0,
    "codmn": 150.0,
    "cod": 1000.0,
    "bod5": 500.0,
    "nh3n": 100.0,
    "tp": 20.0,
    "tn": 200.0,
    "cu": 10.0,
    "zn": 20.0,
    "f": 15.0,
    "se": 0.2,
    "as_": 1.0,
    "hg": 0.01,
    "cd": 0.1,
    "cr6": 1.0,
    "pb": 1.0,
    "cn": 2.0,
    "phenol": 1.0,
    "oil": 10.0,
    "las": 3.0,
    "s2": 10.0,
    "fecal_coliform": 1e8,
    # above boiling in the shade is a unit error (°F, K); flow beyond the Yellow River's largest
    # recorded floods (some 36,000 m³/s at Shanxian, 1843) is a misplaced decimal point
    "wt": 40.0,
    "flow": 40000.0,
}
PROBLEM_LIMIT = 50
REPORT_LIMIT = 500
_TIME = re.compile(r"^(\d{4})[-/](\d{1,2})[-/](\d{1,2})(?:[ T](\d{1,2}):(\d{2})(?::(\d{2}))?)?$")
MODES = {
    "manual": Mode.MANUAL,
    "手工": Mode.MANUAL,
    "auto": Mode.AUTOMATIC,
    "automatic": Mode.AUTOMATIC,
    "自动": Mode.AUTOMATIC,
}


class IngestError(Exception):
    """The delivery cannot be accepted as a whole; nothing was stored."""

    def __init__(self, message, problems=()):
        super().__init__(message)
        self.message = message
        self.problems = list(problems)[:PROBLEM_LIMIT]


@dataclass
class IngestResult:
    batch: IngestBatch
    received: int = 0
    created: int = 0
    replaced: int = 0
    flagged_count: int = 0
    flagged: list = field(default_factory=list)  # (line, section code, time text, {parameter: (flag, text)})
    months: set = field(default_factory=set)  # (section id, first day of month) touched


def parse_value(parameter, text):
    """(value, flag or None) of one cell; (None, None) when blank (not measured)."""
    if text is None:
        return None, None
    if isinstance(text, bool):
        return None, Flag.NOT_A_NUMBER
    if isinstance(text, int | float):
        value = float(text)
    else:
        text = str(text).strip()
        if not text:
            return None, None
        if text in MISSING_TOKENS:
            return None, Flag.MISSING
        if text.lower() in NOT_DETECTED_TOKENS:
            return None, Flag.BELOW_DETECTION
        below = _BELOW_LIMIT.match(text)
        if below:
            try:
                return float(below.group(1) or below.group(2)), Flag.BELOW_DETECTION
            except ValueError:
                return None, Flag.NOT_A_NUMBER
        try:
            value = float(text)
        except ValueError:
            return None, Flag.NOT_A_NUMBER
    if math.isnan(value) or math.isinf(value):
        return None, Flag.NOT_A_NUMBER
    if value < 0:
        return value, Flag.NEGATIVE
    if value > IMPOSSIBLE_ABOVE[parameter]:
        return value, Flag.IMPOSSIBLE
    return value, None


def parse_time(text):
    match = _TIME.match(str(text or "").strip())
    if not match:
        return None
    year, month, day, hour, minute, second = (int(g) if g else 0 for g in match.groups())
    try:
        naive = dt.datetime(year, month, day, hour, minute, second)
    except ValueError:
        return None
    return naive.replace(tzinfo=zoneinfo.ZoneInfo(settings.TIME_ZONE))


def decode(data):
    if isinstance(data, str):
        return data.lstrip("\ufeff")
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise IngestError(_("The file is not readable text: save it as CSV (UTF-8 or GB18030) and upload it again."))


def csv_rows(data):
    """(line, {field: text}) for each row of a CSV text or bytes."""
    text = decode(data)
    if not text.strip():
        raise IngestError(_("The file is empty."))
    reader = csv.reader(io.StringIO(text))
    header = next(reader)
    index = {}
    for position, name in enumerate(header):
        field_name = _HEADER_TO_FIELD.get(name.strip().lower().replace(" ", ""))
        if field_name and field_name not in index:
            index[field_name] = position
    missing = [n for n in ("section", "sampled_at") if n not in index]
    if missing:
        raise IngestError(
            _("The first line must name the columns; missing: %(columns)s.") % {"columns": ", ".join(missing)}
        )
    if not any(p in index for p in PARAMETERS):
        raise IngestError(
            _("No parameter column found; expected some of %(columns)s.") % {"columns": "ph, do, codmn, nh3n, tp …"}
        )
    rows = []
    for row in reader:
        if not any(cell.strip() for cell in row):
            continue
        if len(row) != len(header):
            rows.append(
                (
                    reader.line_num,
                    _("Line %(line)d has %(found)d fields where the header has %(expected)d.")
                    % {"line": reader.line_num, "found": len(row), "expected": len(header)},
                )
            )
            continue
        rows.append((reader.line_num, {name: row[position] for name, position in index.items()}))
    return rows


def json_rows(items):
    rows = []
    for line, item in enumerate(items, start=1):
        if not isinstance(item, dict):
            rows.append((line, _("Item %(line)d is not an object.") % {"line": line}))
            continue
        known = {}
        for key, value in item.items():
            name = _HEADER_TO_FIELD.get(str(key).strip().lower())
            if name:
                known[name] = value
        rows.append((line, known))
    return rows


def ingest(rows, *, user, source, filename="", may_write=None):
    """Store rows from csv_rows/json_rows as one delivery; raises IngestError and stores nothing on a bad row.

    `may_write(section)` says whether the sender may write the section's samples.
    """
    codes = {str(r[1].get("section", "")).strip() for r in rows if isinstance(r[1], dict)}
    sections = {s.code: s for s in Section.objects.filter(code__in=codes).select_related("city")}
    problems, parsed = [], {}
    for line, row in rows:
        if isinstance(row, str):
            problems.append((line, row))
            continue
        code = str(row.get("section", "")).strip()
        section = sections.get(code)
        if section is None:
            problems.append((line, _("Line %(line)d: unknown section “%(code)s”.") % {"line": line, "code": code}))
            continue
        if may_write is not None and not may_write(section):
            problems.append(
                (
                    line,
                    _("Line %(line)d: you may not send samples of section %(code)s.") % {"line": line, "code": code},
                )
            )
            continue
        taken_at = parse_time(row.get("sampled_at"))
        if taken_at is None:
            problems.append(
                (
                    line,
                    _("Line %(line)d: “%(time)s” is not a time (write 2026-07-01 10:00).")
                    % {"line": line, "time": row.get("sampled_at", "")},
                )
            )
            continue
        mode_text = str(row.get("mode") or "").strip().lower()
        if mode_text and mode_text not in MODES:
            problems.append(
                (
                    line,
                    _("Line %(line)d: mode “%(mode)s” is neither manual nor auto.") % {"line": line, "mode": mode_text},
                )
            )
            continue
        mode = MODES.get(mode_text, Mode.AUTOMATIC if section.automatic else Mode.MANUAL)
        values, flags, raw = {}, {}, {}
        for parameter in MEASURED:
            text = row.get(parameter)
            value, flag = parse_value(parameter, text)
            values[FIELDS[parameter]] = value
            if flag is not None:
                flags[parameter] = flag.value
                raw[parameter] = "" if text is None else str(text)
        # The last of two rows for one section and time wins, as a re-sent file would.
        parsed[(section.pk, taken_at)] = (line, section, taken_at, mode, values, flags, raw)
    if problems:
        raise IngestError(
            _("Nothing was stored. Lines that cannot be read: %(count)d. Correct them and send the file again.")
            % {"count": len(problems)},
            [message for _line, message in problems],
        )
    if not parsed:
        raise IngestError(_("The file has no samples."))
    return _store(parsed, rows_received=len(rows), user=user, source=source, filename=filename)


@transaction.atomic
def _store(parsed, *, rows_received, user, source, filename):
    batch = IngestBatch.objects.create(
        created_by=user, source=source, filename=filename[:200], rows_received=rows_received
    )
    result = IngestResult(batch=batch, received=rows_received)
    keys = list(parsed)
    existing = set()
    for section_id in {k[0] for k in keys}:
        times = [k[1] for k in keys if k[0] == section_id]
        existing.update(
            (section_id, t)
            for t in Sample.objects.filter(section_id=section_id, taken_at__in=times).values_list("taken_at", flat=True)
        )
    objects = []
    for (section_id, taken_at), (line, section, _t, mode, values, flags, raw) in parsed.items():
        objects.append(
            Sample(section=section, taken_at=taken_at, mode=mode, flags=flags, raw=raw, batch=batch, **values)
        )
        if (section_id, taken_at) in existing:
            result.replaced += 1
        else:
            result.created += 1
        if flags:
            result.flagged_count += 1
            if len(result.flagged) < REPORT_LIMIT:
                described = {p: (Flag(code).label, raw.get(p, "")) for p, code in flags.items()}
                result.flagged.append((line, section.code, f"{taken_at:%Y-%m-%d %H:%M}", described))
        local = taken_at.astimezone(zoneinfo.ZoneInfo(settings.TIME_ZONE))
        result.months.add((section_id, local.date().replace(day=1)))
    Sample.objects.bulk_create(
        objects,
        batch_size=2000,
        update_conflicts=True,
        unique_fields=["section", "taken_at"],
        update_fields=["mode", *VALUE_FIELDS, "flags", "raw", "batch"],
    )
    batch.rows_created, batch.rows_replaced, batch.rows_flagged = result.created, result.replaced, result.flagged_count
    batch.save(update_fields=["rows_created", "rows_replaced", "rows_flagged"])
    return result
