"""The monthly compensation statement as .xlsx, the format the offices exchange.

Sheet 1 states the month: agreement, section, class and target, payer, payee, amount and
the confirmations. Sheet 2 lists every sample the class was computed from, with the values
as measured and the flags, so either city can check the figure.
"""

import io

from django.utils import timezone
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font

from .grading import PARAMETERS
from .models import PARAMETER_LABELS, Flag


def statement_workbook(statement, samples):
    agreement = statement.agreement
    book = Workbook()
    sheet = book.active
    sheet.title = _("Statement")
    sheet.append([_("Eco-compensation statement"), f"{statement.month:%Y-%m}"])
    sheet["A1"].font = Font(bold=True, size=14)
    rows = [
        (_("Agreement"), agreement.title),
        (_("Section"), f"{agreement.section.display_name} ({agreement.section.code})"),
        (_("Upstream city"), agreement.upstream_city.name),
        (_("Downstream city"), agreement.downstream_city.name),
        (_("Month"), f"{statement.month:%Y-%m}"),
        (_("Class"), statement.grade or "—"),
        (_("Target class"), statement.target or "—"),
        (_("Target met"), _("yes") if statement.met else (_("no") if statement.met is False else "—")),
        (_("Payer"), statement.payer.name if statement.payer else "—"),
        (_("Payee"), statement.payee.name if statement.payee else "—"),
        (_("Amount (10,000 yuan)"), float(statement.amount)),
        (_("Samples used"), len(samples)),
        (_("Computed at"), timezone.localtime(statement.computed_at).strftime("%Y-%m-%d %H:%M")),
        (
            _("Confirmed by the upstream city"),
            timezone.localtime(statement.upstream_confirmed_at).strftime("%Y-%m-%d %H:%M")
            if statement.upstream_confirmed_at
            else "—",
        ),
        (
            _("Confirmed by the downstream city"),
            timezone.localtime(statement.downstream_confirmed_at).strftime("%Y-%m-%d %H:%M")
            if statement.downstream_confirmed_at
            else "—",
        ),
    ]
    if agreement.illustrative:
        rows.append((_("Note"), _("Illustrative agreement of the demo; not a real agreement.")))
    for label, value in rows:
        sheet.append([str(label), value])
    sheet.column_dimensions["A"].width = 30
    sheet.column_dimensions["B"].width = 60

    used = book.create_sheet(_("Samples used"))
    used.append(
        [str(_("Sample no.")), str(_("Section")), str(_("Sampled at")), str(_("Mode"))]
        + [f"{PARAMETER_LABELS[p]} ({p})" for p in PARAMETERS]
        + [str(_("Flags"))]
    )
    for cell in used[1]:
        cell.font = Font(bold=True)
        cell.alignment = Alignment(wrap_text=True)
    for sample in samples:
        flags = "; ".join(
            f"{p}: {Flag(code).label} “{sample.raw.get(p, '')}”" for p, code in sorted(sample.flags.items())
        )
        used.append(
            [
                sample.pk,
                sample.section.code,
                timezone.localtime(sample.taken_at).strftime("%Y-%m-%d %H:%M"),
                sample.mode,
            ]
            + [value for _p, value, _f, _raw in sample.cells()]
            + [flags]
        )
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()
