"""Water over the JSON API: batch ingestion of samples, sections with their targets, monthly classes.

Reads need a member of some unit (401 without credentials, 403 for a person of no unit);
ingestion checks each section as the upload page does. Errors take the API's one shape.
"""

import datetime as dt
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.utils.translation import gettext as _
from ninja import Field, Router, Schema

from xietong.core.api_errors import ERRORS

from . import access, actions
from .ingest import IngestError, json_rows
from .models import MonthlyResult, Section, Source

router = Router(tags=["water"])
MAX_BATCH = 50_000


def _member(request):
    if not access.can_view(request.auth):
        raise PermissionDenied(_("Water data are shared with the members of the cluster's units."))


class SamplesIn(Schema):
    samples: list[Any] = Field(
        ...,
        description="Objects with section (code), sampled_at (local time, 'YYYY-MM-DD HH:MM'), optional mode "
        "('manual' or 'auto') and any of the parameter keys ph do codmn cod bod5 nh3n tp tn cu zn f se as_ hg cd cr6 "
        "pb cn phenol oil las s2 fecal_coliform (mg/L; fecal coliform per litre), and wt (water temperature, °C) and "
        "flow (m³/s), which are reported but have no class: numbers, or strings such as 'ND', '<0.01', '0.01L'.",
    )


class FlaggedOut(Schema):
    line: int
    section: str
    sampled_at: str
    flags: dict[str, str]
    values: dict[str, str]


class IngestOut(Schema):
    received: int
    created: int
    replaced: int
    flagged_count: int
    flagged: list[FlaggedOut]
    missed_targets: list[str]


@router.post(
    "/samples",
    response={200: IngestOut, **ERRORS},
    summary="Send samples",
    description="A sample sent again for the same section and time replaces the stored one. Values that cannot be "
    "used as measured are flagged and stored. If any item cannot be placed, nothing is stored (422, one entry "
    "per line).",
)
def post_samples(request, payload: SamplesIn):
    _member(request)
    if not access.can_upload_anything(request.auth):
        raise PermissionDenied(_("Only the office and a city's staff send samples."))
    if len(payload.samples) > MAX_BATCH:
        raise ValidationError({"samples": _("Send at most %(count)d samples at a time.") % {"count": MAX_BATCH}})
    try:
        result = actions.do_ingest_samples(actor=request.auth, rows=json_rows(payload.samples), source=Source.API)
    except IngestError as error:
        raise ValidationError({"samples": error.problems or [error.message]})
    missed = MonthlyResult.objects.filter(
        section_id__in={s for s, _m in result.months}, month__in={m for _s, m in result.months}, met=False
    ).select_related("section")
    return {
        "received": result.received,
        "created": result.created,
        "replaced": result.replaced,
        "flagged_count": result.flagged_count,
        "flagged": [
            {
                "line": line,
                "section": code,
                "sampled_at": time,
                "flags": {p: str(pair[0]) for p, pair in described.items()},
                "values": {p: pair[1] for p, pair in described.items()},
            }
            for line, code, time, described in result.flagged
        ],
        "missed_targets": [f"{r.section.code} {r.month:%Y-%m}" for r in missed],
    }


class SectionOut(Schema):
    code: str
    name: str
    river: str
    kind: str
    water_body: str
    city: str
    upstream_city: str | None
    downstream_city: str | None
    latitude: float
    longitude: float
    illustrative: bool
    targets: dict[str, str]


@router.get("/sections", response={200: list[SectionOut], **ERRORS}, summary="Sections and their target classes")
def sections(request):
    _member(request)
    rows = (
        Section.objects.filter(active=True)
        .select_related("river", "city", "upstream_city", "downstream_city")
        .prefetch_related("targets")
    )
    return [
        {
            "code": s.code,
            "name": s.name,
            "river": s.river.code,
            "kind": s.kind,
            "water_body": s.water_body,
            "city": s.city.slug,
            "upstream_city": s.upstream_city.slug if s.upstream_city else None,
            "downstream_city": s.downstream_city.slug if s.downstream_city else None,
            "latitude": float(s.latitude),
            "longitude": float(s.longitude),
            "illustrative": s.illustrative,
            "targets": {str(t.year): t.grade for t in s.targets.all()},
        }
        for s in rows
    ]


class MonthOut(Schema):
    section: str
    month: str
    samples: int
    grade: str | None
    target: str | None
    met: bool | None
    means: dict[str, float]
    exceeding: dict[str, float]
    pollutants: list[list[Any]]


@router.get("/months", response={200: list[MonthOut], **ERRORS}, summary="Monthly classes of every section")
def months(request, month: str):
    _member(request)
    try:
        first = dt.datetime.strptime(month, "%Y-%m").date()
    except ValueError:
        raise ValidationError({"month": _("Enter a month as YYYY-MM.")})
    rows = MonthlyResult.objects.filter(month=first).select_related("section")
    return [
        {
            "section": r.section.code,
            "month": f"{r.month:%Y-%m}",
            "samples": r.samples,
            "grade": r.grade or None,
            "target": r.target or None,
            "met": r.met,
            "means": r.means,
            "exceeding": r.exceeding,
            "pollutants": r.pollutants,
        }
        for r in rows
    ]
