"""The matter register (督办台账) as a workbook: exported with the list's filters, imported row by row.

The columns are named in Chinese in the exported file and recognised in Chinese or English on import, so a
register exported here, filled in and uploaded again reads back. Choices (domain, priority, frequency) are
written as their labels and read from a label in either language or the stored code.
"""

import datetime
import io

from django.conf import settings
from django.core.exceptions import FieldDoesNotExist
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import pgettext_lazy

from xietong.core.models import Unit

from .models import Domain, Frequency, Matter, Priority, SubArea

# (key, label) in the order of the sheet; the first six are what an import needs.
COLUMNS = [
    ("code", pgettext_lazy("register", "Code")),
    ("title", pgettext_lazy("register", "Title")),
    ("domain", pgettext_lazy("register", "Domain")),
    ("lead_unit", pgettext_lazy("register", "Lead unit")),
    ("start_date", pgettext_lazy("register", "Start date")),
    ("due_date", pgettext_lazy("register", "Due date")),
    ("co_units", pgettext_lazy("register", "Co-units")),
    ("sub_area", pgettext_lazy("register", "Sub-area")),
    ("priority", pgettext_lazy("register", "Priority")),
    ("reporting_frequency", pgettext_lazy("register", "Reporting frequency")),
    ("description", pgettext_lazy("register", "Content")),
    ("state", pgettext_lazy("register", "State")),
    ("health", pgettext_lazy("register", "Health")),
    ("progress", pgettext_lazy("register", "Progress (%)")),
]
REQUIRED = ["code", "title", "domain", "lead_unit", "start_date", "due_date"]
EXPORT_ONLY = {"state", "health", "progress"}
CHOICES = {"domain": Domain, "sub_area": SubArea, "priority": Priority, "reporting_frequency": Frequency}
MAX_ROWS = 2000
SEPARATORS = ["、", "，", ",", "；", ";", "\n"]


def export_xlsx(matters, today=None):
    """The matters given (already filtered and ordered by the caller) as one sheet of the register."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font
    from openpyxl.utils import get_column_letter

    today = today or timezone.localdate()
    with translation.override(settings.LANGUAGE_CODE):
        workbook = Workbook()
        sheet = workbook.active
        sheet.title = str(_("Matter register"))[:31]
        sheet.append([str(label) for _key, label in COLUMNS])
        for cell in sheet[1]:
            cell.font = Font(bold=True)
            cell.alignment = Alignment(vertical="center")
        for matter in matters:
            sheet.append(
                [
                    matter.code,
                    matter.title,
                    str(matter.get_domain_display()),
                    matter.lead_unit.name,
                    matter.start_date,
                    matter.due_date,
                    "、".join(co.unit.name for co in matter.co_units.all()),
                    str(matter.get_sub_area_display()) if matter.sub_area else "",
                    str(matter.get_priority_display()),
                    str(matter.get_reporting_frequency_display()),
                    matter.description,
                    str(matter.get_state_display()),
                    str(matter.health(today).label),
                    matter.progress,
                ]
            )
        for row in sheet.iter_rows(min_row=2, min_col=5, max_col=6):
            for cell in row:
                cell.number_format = "yyyy-mm-dd"
        for index, width in enumerate([14, 36, 16, 24, 12, 12, 30, 14, 8, 10, 40, 12, 10, 10], start=1):
            sheet.column_dimensions[get_column_letter(index)].width = width
        sheet.freeze_panes = "A2"
        buffer = io.BytesIO()
        workbook.save(buffer)
        return buffer.getvalue()


def _names(label):
    names = {str(label).strip()}
    for language in ("en", "zh-hans"):
        with translation.override(language):
            names.add(str(label).strip())
    return names


def _choice_names(kind):
    """Every name a choice is written as (its code, its label in either language) → its code. Built once per
    upload: looking the labels up again for every cell made the translations most of an import's time."""
    names = {}
    for member in kind:
        for name in {str(member.value)} | _names(member.label):
            names.setdefault(name, member.value)
    return names


def _date(value):
    if isinstance(value, datetime.datetime):
        return value.date()
    if isinstance(value, datetime.date):
        return value
    return datetime.date.fromisoformat(str(value).strip())


def _split(value):
    text = str(value)
    for separator in SEPARATORS[1:]:
        text = text.replace(separator, SEPARATORS[0])
    return [part.strip() for part in text.split(SEPARATORS[0]) if part.strip()]


class UnreadableFile(ValueError):
    """The upload is not a workbook of the register (a message in the user's language)."""


def parse_xlsx(content):
    """The rows of an uploaded register as [(row number, fields for do_create_matter, problems)].

    A problem is a message in the reader's language naming the column; a row with problems is not passed on.
    """
    from openpyxl import load_workbook

    try:
        workbook = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except Exception as error:  # openpyxl raises many kinds for a file that is not a workbook
        raise UnreadableFile(_("The file is not an Excel workbook (.xlsx).")) from error
    sheet = workbook.worksheets[0]
    rows = sheet.iter_rows(values_only=True)
    header = next(rows, None) or ()
    labels = dict(COLUMNS)
    positions = {}
    for index, title in enumerate(header):
        for key, label in COLUMNS:
            if title is not None and str(title).strip() in _names(label) | {key}:
                positions[key] = index
    missing = [str(labels[key]) for key in REQUIRED if key not in positions]
    if missing:
        raise UnreadableFile(
            _("The first row must name the columns; missing: %(columns)s.") % {"columns": "、".join(missing)}
        )

    units = {unit.name: unit for unit in Unit.objects.all()}
    choices = {key: _choice_names(kind) for key, kind in CHOICES.items()}
    parsed = []
    for number, values in enumerate(rows, start=2):
        cell = {key: values[index] if index < len(values) else None for key, index in positions.items()}
        if all(value is None or str(value).strip() == "" for value in cell.values()):
            continue
        if len(parsed) >= MAX_ROWS:
            raise UnreadableFile(_("A register upload holds at most %(n)d matters.") % {"n": MAX_ROWS})
        fields, problems = {}, []

        def problem(key, message, problems=problems):
            problems.append(f"{labels[key]}：{message}")

        for key in REQUIRED:
            if cell.get(key) is None or str(cell[key]).strip() == "":
                problem(key, _("This column is required."))
        for key in ("code", "title", "description"):
            if cell.get(key) not in (None, ""):
                fields[key] = str(cell[key]).strip()
        for key in ("start_date", "due_date"):
            if cell.get(key) not in (None, ""):
                try:
                    fields[key] = _date(cell[key])
                except ValueError:
                    problem(key, _("Enter the date as YYYY-MM-DD, for example 2026-08-31."))
        for key, names in choices.items():
            if cell.get(key) not in (None, ""):
                try:
                    fields[key] = names[str(cell[key]).strip()]
                except KeyError:
                    problem(key, _("“%(value)s” is not one of the choices.") % {"value": cell[key]})
        if cell.get("lead_unit") not in (None, ""):
            name = str(cell["lead_unit"]).strip()
            if name in units:
                fields["lead_unit"] = units[name]
            else:
                problem("lead_unit", _("No unit is called “%(name)s”.") % {"name": name})
        co_units = []
        for name in _split(cell.get("co_units") or ""):
            if name in units:
                co_units.append(units[name])
            else:
                problem("co_units", _("No unit is called “%(name)s”.") % {"name": name})
        fields["co_units"] = co_units
        parsed.append((number, fields, problems))
    return parsed


def error_messages(error):
    """A ValidationError of do_create_matter as messages that name their column."""
    labels = dict(COLUMNS)
    if not hasattr(error, "error_dict"):
        return list(error.messages)
    out = []
    for field, messages in error.message_dict.items():
        label = labels.get(field)
        if label is None:
            try:
                label = Matter._meta.get_field(field).verbose_name
            except FieldDoesNotExist:
                label = None
        for message in messages:
            out.append(f"{label}：{message}" if label and field != "__all__" else message)
    return out


def filename(today):
    return _("matter-register-%(day)s") % {"day": today.isoformat()} + ".xlsx"
