"""The declarations API: the public intake (used by apps and kiosks) and the receipt status."""

import datetime

from django.core.exceptions import ValidationError
from django.db.models import Q
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from ninja import Router, Schema

from xietong.core.api_errors import ERRORS
from xietong.core.idempotency import idempotent_api
from xietong.core.models import Unit, UnitKind
from xietong.regions.resolver import PlaceError, resolve

from . import actions
from .models import Declaration

router = Router(tags=["declarations"])

# Public operations (no account): listed for the route-walk test.
PUBLIC_OPERATIONS = ["declare", "receipt_status"]


class StopIn(Schema):
    place: str
    start: datetime.date
    end: datetime.date
    transport: str = ""


class DeclarationIn(Schema):
    name: str
    id_number: str
    phone: str
    arrival_date: datetime.date
    destination: str
    address: str = ""
    community: int
    employer: int | None = None
    hotel: int | None = None
    symptoms: list[str] = []
    stops: list[StopIn] = []


class ReceiptOut(Schema):
    receipt: str
    state: str
    tier: str
    created: bool = False


@router.post("/declare/{city}", auth=None, response={200: ReceiptOut, **ERRORS}, operation_id="declare")
@idempotent_api("declarations.declare")
def declare(request, city: str, payload: DeclarationIn):
    # The form's city and the units named, in one query.
    named = [pk for pk in (payload.community, payload.employer, payload.hotel) if pk is not None]
    units = Unit.objects.filter(Q(slug=city, kind=UnitKind.CITY) | Q(pk__in=named))
    intake_city = next((u for u in units if u.slug == city and u.kind == UnitKind.CITY), None)
    if intake_city is None:
        raise Http404
    units = {u.pk: u for u in units}
    errors = {}
    data = payload.dict()
    try:
        data["destination"] = resolve(payload.destination)
    except PlaceError as error:
        errors["destination"] = [str(error)]
    for field in ("community", "employer", "hotel"):
        data[field] = units.get(data[field]) if data[field] else None
    stops = []
    for number, stop in enumerate(payload.stops, start=1):
        try:
            region = resolve(stop.place)
        except PlaceError as error:
            errors.setdefault("stops", []).append(_("Stop %(n)d: %(error)s") % {"n": number, "error": error})
            continue
        stops.append({"region": region, "start": stop.start, "end": stop.end, "transport": stop.transport})
    data["stops"] = stops
    if errors:
        raise ValidationError(errors)
    declaration, created = actions.do_submit_declaration(data=data, intake_city=intake_city)
    return 200, {
        "receipt": declaration.receipt,
        "state": declaration.state,
        "tier": declaration.tier,
        "created": created,
    }


@router.get("/receipts/{receipt}", auth=None, response={200: ReceiptOut, **ERRORS}, operation_id="receipt_status")
def receipt_status(request, receipt: str):
    declaration = get_object_or_404(Declaration, receipt=receipt.upper())
    return {"receipt": declaration.receipt, "state": declaration.state, "tier": declaration.tier}
