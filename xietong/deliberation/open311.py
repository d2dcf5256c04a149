"""Open311 GeoReport v2 (https://wiki.open311.org/GeoReport_v2) for the halls' concerns.

Paths follow the specification: discovery.{fmt}, services.{fmt}, services/{service_code}.{fmt},
requests.{fmt} (GET and POST), requests/{service_request_id}.{fmt}, tokens/{token_id}.{fmt}, with fmt
json or xml. A concern is a service request: its tracking code is the service_request_id, its category
the service. Statuses map to the specification's two: open, and closed (resolved, not accepted,
duplicate) with status_notes saying which. Errors are the specification's list of {code, description}.
Requests are created at once, so POST returns the service_request_id; tokens/{id} answers for the same
code (a token is the request's code).
"""

import datetime
import decimal
import hashlib
import secrets
from xml.etree import ElementTree

from django.core.exceptions import ValidationError
from django.http import HttpResponse, JsonResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt

from xietong.core.idempotency import KeyReused, idempotent_response

from . import actions
from .models import Category, Channel, Concern, ConcernState, Hall, Open311Key, Resolution

SPEC = "http://wiki.open311.org/GeoReport_v2"
CHANGESET = "2026-12-01T00:00:00+08:00"
FORMATS = {"json": "application/json; charset=utf-8", "xml": "text/xml; charset=utf-8"}
MAX_RESULTS = 1000
DEFAULT_WINDOW = datetime.timedelta(days=90)
CLOSED = {ConcernState.RESOLVED, ConcernState.REFUSED, ConcernState.DUPLICATE}


class Open311Error(Exception):
    def __init__(self, status, description):
        super().__init__(description)
        self.status, self.description = status, description


# --- keys --------------------------------------------------------------------------------------------------


def _hash(key):
    return hashlib.sha256(key.encode()).hexdigest()


def create_key(name):
    """Returns (Open311Key, key); the key is shown once, only its hash is stored."""
    key = "o311_" + secrets.token_urlsafe(24)
    return Open311Key.objects.create(name=name, key_hash=_hash(key), prefix=key[:8]), key


def revoke_key(prefix_or_name):
    return Open311Key.objects.filter(revoked_at__isnull=True).filter(name=prefix_or_name).update(
        revoked_at=timezone.now()
    ) or Open311Key.objects.filter(revoked_at__isnull=True, prefix=prefix_or_name).update(revoked_at=timezone.now())


def _check_key(key):
    if not key or not Open311Key.objects.filter(key_hash=_hash(key), revoked_at__isnull=True).exists():
        raise Open311Error(403, _("The api_key is missing, unknown or revoked."))


# --- rendering ---------------------------------------------------------------------------------------------


def _xml_value(value):
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _to_xml(root, item_tag, items):
    """<root><item_tag>…</item_tag>…</root>; nested dicts become elements, lists repeat their tag."""

    def fill(element, mapping):
        for key, value in mapping.items():
            child = ElementTree.SubElement(element, key)
            if isinstance(value, dict):
                fill(child, value)
            elif isinstance(value, list):
                singular = {"attributes": "attribute", "values": "value", "endpoints": "endpoint", "formats": "format"}[
                    key
                ]
                for entry in value:
                    grandchild = ElementTree.SubElement(child, singular)
                    if isinstance(entry, dict):
                        fill(grandchild, entry)
                    else:
                        grandchild.text = _xml_value(entry)
            else:
                child.text = _xml_value(value)

    top = ElementTree.Element(root)
    if item_tag is None:
        fill(top, items)
    else:
        for item in items:
            fill(ElementTree.SubElement(top, item_tag), item)
    return b'<?xml version="1.0" encoding="utf-8"?>' + ElementTree.tostring(
        top, encoding="utf-8", xml_declaration=False
    )


def _respond(fmt, data, root, item_tag, status=200):
    if fmt == "json":
        return JsonResponse(data, safe=False, status=status, json_dumps_params={"ensure_ascii": False})
    return HttpResponse(_to_xml(root, item_tag, data), content_type=FORMATS["xml"], status=status)


def _error(fmt, error):
    data = [{"code": error.status, "description": error.description}]
    return _respond(fmt if fmt in FORMATS else "xml", data, "errors", "error", status=error.status)


def endpoint(view):
    def wrapper(request, fmt, *args, **kwargs):
        if fmt not in FORMATS:
            return _error("xml", Open311Error(400, _("The format must be json or xml.")))
        try:
            return view(request, fmt, *args, **kwargs)
        except Open311Error as error:
            return _error(fmt, error)

    return csrf_exempt(wrapper)


def _iso(value):
    return timezone.localtime(value).isoformat(timespec="seconds") if value else None


def _hall(request):
    halls = list(Hall.objects.all())
    jurisdiction = request.GET.get("jurisdiction_id") or request.POST.get("jurisdiction_id")
    if jurisdiction:
        for hall in halls:
            if hall.slug == jurisdiction:
                return hall
        raise Open311Error(404, _("No jurisdiction has the id “%(id)s”.") % {"id": jurisdiction})
    if len(halls) == 1:
        return halls[0]
    raise Open311Error(400, _("jurisdiction_id is required: this server serves several halls."))


# --- endpoints ---------------------------------------------------------------------------------------------


@endpoint
def discovery(request, fmt):
    base = request.build_absolute_uri(reverse("open311:root"))
    data = {
        "changeset": CHANGESET,
        "contact": _("Write to the deliberation hall of your town."),
        "key_service": _("Ask the platform's operator for an API key."),
        "jurisdictions": [{"jurisdiction_id": h.slug, "name": h.name} for h in Hall.objects.all()],
        "endpoints": [
            {
                "specification": SPEC,
                "url": base.rstrip("/"),
                "changeset": CHANGESET,
                "type": "production",
                "formats": ["text/xml", "application/json"],
            }
        ],
    }
    if fmt == "xml":
        xml = dict(data)
        xml["jurisdictions"] = ", ".join(j["jurisdiction_id"] for j in data["jurisdictions"])
        return _respond(fmt, xml, "discovery", None)
    return _respond(fmt, data, "discovery", None)


def _service(category):
    return {
        "service_code": category.code,
        "service_name": category.display_name,
        "description": category.description,
        "metadata": False,
        "type": "realtime",
        "keywords": category.keywords,
        "group": category.group,
    }


@endpoint
def services(request, fmt):
    _hall(request)
    return _respond(fmt, [_service(c) for c in Category.objects.all()], "services", "service")


@endpoint
def service_definition(request, fmt, service_code):
    _hall(request)
    if not Category.objects.filter(code=service_code).exists():
        raise Open311Error(404, _("No service has the code “%(code)s”.") % {"code": service_code})
    # No category asks for extra attributes: the definition lists none.
    return _respond(fmt, {"service_code": service_code, "attributes": []}, "service_definition", None)


def _status(concern):
    if concern.state in CLOSED:
        notes = {
            ConcernState.RESOLVED: concern.answer,
            ConcernState.REFUSED: concern.reason,
            ConcernState.DUPLICATE: _("Duplicate of %(code)s")
            % {"code": concern.duplicate_of.code if concern.duplicate_of else ""},
        }[concern.state]
        return "closed", f"{concern.get_state_display()}: {notes}".strip(": ")
    return "open", concern.get_state_display()


def _request(concern, expected):
    status, notes = _status(concern)
    return {
        "service_request_id": concern.code,
        "status": status,
        "status_notes": notes,
        "service_name": concern.category.display_name,
        "service_code": concern.category.code,
        "description": concern.text,
        "agency_responsible": concern.hall.name,
        "service_notice": "",
        "requested_datetime": _iso(concern.received_at),
        "updated_datetime": _iso(concern.updated_at),
        "expected_datetime": expected,
        "address": concern.address,
        "address_id": "",
        "zipcode": "",
        "lat": str(concern.lat) if concern.lat is not None else None,
        "long": str(concern.lon) if concern.lon is not None else None,
        "media_url": "",
    }


def _expected(concerns):
    """expected_datetime: the target date of the resolution that took each concern's topic up (one query)."""
    topics = {c.topic_id for c in concerns if c.topic_id}
    targets = dict(
        Resolution.objects.filter(session__topic_id__in=topics).values_list("session__topic_id", "target_date")
    )
    tz = timezone.get_current_timezone()
    return {
        c.pk: datetime.datetime.combine(targets[c.topic_id], datetime.time(18), tz).isoformat(timespec="seconds")
        if c.topic_id in targets
        else None
        for c in concerns
    }


def _public_requests(hall):
    return Concern.objects.filter(hall=hall).select_related("category", "hall", "duplicate_of")


def _render_requests(fmt, concerns):
    expected = _expected(concerns)
    return _respond(fmt, [_request(c, expected[c.pk]) for c in concerns], "service_requests", "request")


def _parse_when(value, name):
    when = parse_datetime(value)
    if when is None:
        raise Open311Error(400, _("%(name)s must be a date and time in W3C format.") % {"name": name})
    return when if timezone.is_aware(when) else timezone.make_aware(when)


@endpoint
def requests_(request, fmt):
    if request.method == "POST":
        try:
            return idempotent_response(request, "deliberation.open311", lambda: _post_request(request, fmt))
        except ValidationError as error:
            raise Open311Error(400, " ".join(error.messages)) from None
        except KeyReused:
            raise Open311Error(422, _("This Idempotency-Key was already used for a different request.")) from None
    if request.method != "GET":
        raise Open311Error(405, _("Use GET or POST."))
    hall = _hall(request)
    concerns = _public_requests(hall)
    ids = request.GET.get("service_request_id")
    if ids:
        # The specification: with service_request_id every other filter is ignored.
        codes = [code.strip().upper() for code in ids.split(",") if code.strip()]
        return _render_requests(fmt, list(concerns.filter(code__in=codes).order_by("-received_at")))
    # Lists leave out what the hall has not reviewed yet; a client asks for its own requests by id.
    concerns = concerns.exclude(state=ConcernState.RECEIVED)
    codes = [c.strip() for c in request.GET.get("service_code", "").split(",") if c.strip()]
    if codes:
        concerns = concerns.filter(category__code__in=codes)
    end = _parse_when(request.GET["end_date"], "end_date") if request.GET.get("end_date") else timezone.now()
    start = (
        _parse_when(request.GET["start_date"], "start_date") if request.GET.get("start_date") else end - DEFAULT_WINDOW
    )
    if start > end:
        raise Open311Error(400, _("start_date is after end_date."))
    concerns = concerns.filter(received_at__gte=start, received_at__lte=end)
    statuses = {s.strip() for s in request.GET.get("status", "").split(",") if s.strip()}
    if statuses - {"open", "closed"}:
        raise Open311Error(400, _("status must be open, closed, or both separated by a comma."))
    if statuses == {"open"}:
        concerns = concerns.exclude(state__in=CLOSED)
    elif statuses == {"closed"}:
        concerns = concerns.filter(state__in=CLOSED)
    return _render_requests(fmt, list(concerns.order_by("-received_at", "-id")[:MAX_RESULTS]))


@endpoint
def request_detail(request, fmt, service_request_id):
    hall = _hall(request) if (request.GET.get("jurisdiction_id") or Hall.objects.count() == 1) else None
    concerns = Concern.objects.filter(code=service_request_id.upper()).select_related(
        "category", "hall", "duplicate_of"
    )
    if hall is not None:
        concerns = concerns.filter(hall=hall)
    concerns = list(concerns)
    if not concerns:
        raise Open311Error(404, _("No service request has the id “%(id)s”.") % {"id": service_request_id})
    return _render_requests(fmt, concerns)


@endpoint
def token(request, fmt, token_id):
    if not Concern.objects.filter(code=token_id.upper()).exists():
        raise Open311Error(404, _("No token has the id “%(id)s”.") % {"id": token_id})
    return _respond(
        fmt, [{"service_request_id": token_id.upper(), "token": token_id.upper()}], "service_requests", "request"
    )


def _decimal(value, name):
    try:
        return decimal.Decimal(value).quantize(decimal.Decimal("0.000001"))
    except (decimal.InvalidOperation, TypeError):
        raise Open311Error(400, _("%(name)s must be a number.") % {"name": name}) from None


def _post_request(request, fmt):
    data = request.POST
    _check_key(data.get("api_key"))
    hall = _hall(request)
    code = data.get("service_code", "").strip()
    if not code:
        raise Open311Error(400, _("service_code is required."))
    category = Category.objects.filter(code=code).first()
    if category is None:
        raise Open311Error(404, _("No service has the code “%(code)s”.") % {"code": code})
    lat, lon = data.get("lat", "").strip(), data.get("long", "").strip()
    address = data.get("address_string", "").strip()
    if not ((lat and lon) or address or data.get("address_id")):
        raise Open311Error(400, _("A location is required: lat and long, address_string or address_id."))
    contact = data.get("phone", "").strip() or data.get("email", "").strip()
    try:
        concern = actions.do_submit_concern(
            hall=hall,
            text=data.get("description", ""),
            category=category,
            address=address or data.get("address_id", ""),
            lat=_decimal(lat, "lat") if lat else None,
            lon=_decimal(lon, "long") if lon else None,
            contact=contact,
            source=request.META.get("REMOTE_ADDR", ""),
            channel=Channel.OPEN311,
        )
    except ValidationError as error:
        raise Open311Error(400, " ".join(error.messages)) from None
    notice = _("Received. The hall accepts or refuses within %(date)s.") % {"date": concern.accept_due.isoformat()}
    return _respond(
        fmt,
        [{"service_request_id": concern.code, "service_notice": notice, "account_id": None}],
        "service_requests",
        "request",
        status=201,
    )
