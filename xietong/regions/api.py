"""Divisions over the JSON API: children, search, resolve. Public reads: the names are public data."""

from django.utils.translation import gettext as _
from ninja import Query, Router, Schema, Status

from xietong.core.api_errors import ErrorOut, ValidationErrorOut

from .resolver import AmbiguousPlace, UnknownPlace, get_index
from .resolver import resolve as resolve_text
from .resolver import search as search_divisions

router = Router(tags=["regions"], auth=None)

MAX_LIMIT = 50


class RegionOut(Schema):
    code: str
    name: str
    level: int
    level_label: str
    full_name: str
    parent: str | None
    lineage: list[str]
    has_children: bool


class AmbiguousOut(Schema):
    detail: str
    candidates: list[RegionOut]


def _missing(code):
    return Status(404, {"detail": _("No division has the code “%(code)s”.") % {"code": code}})


@router.get(
    "/children",
    response={200: list[RegionOut], 404: ErrorOut},
    summary="Divisions directly under a division (provinces without parent); placeholders skipped",
)
def children(request, parent: str | None = None):
    index = get_index()
    if parent and (parent not in index.nodes or index.nodes[parent].placeholder):
        return _missing(parent)
    return Status(200, [index.as_dict(c) for c in index.picker_children(parent or None)])


@router.get(
    "/search", response={200: list[RegionOut], 422: ValidationErrorOut}, summary="Divisions matching a typed text"
)
def search(request, q: str = Query("", max_length=100), limit: int = Query(20, ge=1, le=MAX_LIMIT)):
    index = get_index()
    return Status(200, [index.as_dict(node.code) for node in search_divisions(q, limit)])


@router.get(
    "/resolve",
    response={200: RegionOut, 404: ErrorOut, 409: AmbiguousOut, 422: ValidationErrorOut},
    summary="The division a place name names (409 with the candidates when it could be several)",
)
def resolve(request, text: str = Query("", max_length=200)):
    if not text.strip():
        problem = {"loc": ["query", "text"], "msg": _("No place name was given."), "type": "value_error"}
        return Status(422, {"detail": [problem]})
    index = get_index()
    try:
        return Status(200, index.as_dict(resolve_text(text).code))
    except UnknownPlace as error:
        return Status(404, {"detail": str(error)})
    except AmbiguousPlace as error:
        return Status(409, {"detail": str(error), "candidates": [index.as_dict(r.code) for r in error.candidates]})


@router.get("/{code}", response={200: RegionOut, 404: ErrorOut}, summary="One division by its code")
def region(request, code: str):
    index = get_index()
    if code not in index.nodes or index.nodes[code].placeholder:
        return _missing(code)
    return Status(200, index.as_dict(code))
