"""Every URL pattern (from the resolver) and every API operation (from the OpenAPI document), walked as an
anonymous visitor, an account of no unit and a user of a city with no part in the objects, with the real ids
of private objects: any success that is not on the lists of xietong/core/routes.py fails.

Routes are discovered, so a route added later is walked without editing this file. Its path parameters are
filled with the ids (and codes) of every row of its app's models, so an app's private objects are tried
as soon as `private_objects` below (or anything else in the test) creates some.
"""

import datetime
import re

import pytest
from django.apps import apps
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import URLPattern, URLResolver, get_resolver
from django.utils import timezone

from xietong.api.urls import api
from xietong.conftest import client_for, make_user
from xietong.core import routes
from xietong.core.models import Role

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
LOGIN_PATHS = ("/login/", "/admin/login/")
MAX_CANDIDATES = 6


@pytest.fixture
def private_objects(cluster, office_user, owner, member, regions):
    """Objects of 太原 (and 晋中), none public, none touching 忻州 (the uninvolved city)."""
    from xietong.airquality import actions as air
    from xietong.airquality.models import Station
    from xietong.meetings import actions as meetings
    from xietong.meetings.models import DocumentKind
    from xietong.supervision import actions as supervision
    from xietong.supervision.actions import do_issue_bulletin
    from xietong.supervision.models import Domain

    matter = supervision.do_create_matter(
        actor=office_user,
        code="WALK-1",
        title="步行检查事项",
        lead_unit=cluster["taiyuan"],
        co_units=[cluster["gujiao"]],
        start_date=datetime.date(2026, 1, 1),
        due_date=datetime.date(2026, 12, 31),
        domain=Domain.INFRASTRUCTURE,
        milestones=[("里程碑", datetime.date(2026, 6, 30))],
        assign=True,
    )
    supervision.do_submit_report(
        actor=member,
        matter=matter,
        unit=cluster["taiyuan"],
        period_start=datetime.date(2026, 1, 1),
        period_end=datetime.date(2026, 1, 31),
        text="进展",
        percent=10,
        evidence=[SimpleUploadedFile("证明.pdf", PDF, content_type="application/pdf")],
    )
    do_issue_bulletin(actor=office_user, period_start=datetime.date(2026, 1, 1), period_end=datetime.date(2026, 1, 31))
    meeting = meetings.do_create_meeting(
        actor=office_user,
        number=1,
        title="联席会议",
        date=datetime.date(2026, 1, 5),
        place="太原市",
        host_unit=cluster["taiyuan"],
        participants=[cluster["jinzhong"]],
        agenda=["议题"],
    )
    meetings.do_add_attachment(
        actor=office_user, meeting=meeting, uploaded=SimpleUploadedFile("纪要.pdf", PDF, content_type="application/pdf")
    )
    meetings.do_hold_meeting(actor=office_user, meeting=meeting)
    document = meetings.do_adopt_document(
        actor=office_user,
        meeting=meeting,
        kind=DocumentKind.AGREEMENT,
        title="合作协议",
        full_text="第一条",
        clauses=["第一条"],
        signatories=[cluster["taiyuan"], cluster["jinzhong"]],
    )
    meetings.do_record_decision(actor=office_user, meeting=meeting, text="决定", clause=document.clauses.first())
    from xietong.deliberation import actions as deliberation
    from xietong.deliberation.models import Category, Hall

    hall = Hall.objects.create(unit=cluster["hekou"], name="河口镇党群议事厅", slug="hekou")
    concern = deliberation.do_submit_concern(
        hall=hall, text="门头破旧", category=Category.objects.create(code="townscape", name="市容"), contact="139"
    )
    topic = deliberation.do_create_topic(actor=owner, hall=hall, title="门头", concerns=[concern])
    deliberation.do_schedule_session(
        actor=owner,
        topic=topic,
        title="议事会",
        starts_at=datetime.datetime(2026, 1, 20, tzinfo=datetime.UTC),
        place="议事厅",
        invitees=[("商店", ["甲"])],
    )
    deliberation.do_create_survey(actor=owner, hall=hall, title="调查", questions=[{"kind": "text", "text": "意见"}])
    Station.objects.create(code="TY01", name="坞城", city=cluster["taiyuan"], latitude="37.85", longitude="112.57")
    air.do_issue_joint_warning(
        actor=office_user,
        level="orange",
        cities=[cluster["taiyuan"]],
        starts_at=datetime.datetime(2026, 1, 10, tzinfo=datetime.UTC),
        reason="重污染",
    )
    _declarations(cluster)


def _declarations(cluster):
    """A 太原 notice and a declaration at risk, handed over to 晋中, with its measures."""
    from xietong.core.actions import do_create_unit
    from xietong.core.models import UnitKind
    from xietong.declarations import actions as declarations
    from xietong.declarations.models import PreventionOffice
    from xietong.regions import resolve

    office_unit = do_create_unit(
        name="太原市疫情防控办", kind=UnitKind.DEPARTMENT, parent=cluster["taiyuan"], slug="ty-fk"
    )
    office = PreventionOffice.objects.create(city=cluster["taiyuan"], unit=office_unit)
    office_staff = make_user("ty-fk-staff", office_unit)
    town = do_create_unit(
        name="锦纶街道", kind=UnitKind.TOWN, parent=cluster["jinzhong"], slug="jl", region=resolve("榆次锦纶")
    )
    community = do_create_unit(name="锦纶社区", kind=UnitKind.COMMUNITY, parent=town, slug="jl-c")
    notice = declarations.do_create_notice(
        actor=office_staff,
        office=office,
        title="健康提示",
        window_start=datetime.date(2026, 1, 1),
        areas_text="资中县\n城区",
    )
    declarations.do_publish_notice(actor=office_staff, notice=notice)
    first17 = "14010519900307001"
    from xietong.declarations.idcard import check_character

    declarations.do_submit_declaration(
        data={
            "name": "张三",
            "id_number": first17 + check_character(first17),
            "phone": "13903510001",
            "arrival_date": timezone.localdate(),
            "destination": town.region,
            "community": community,
            "stops": [{"region": resolve("四川内江资中"), "start": timezone.localdate(), "end": timezone.localdate()}],
        },
        intake_city=cluster["taiyuan"],
    )


def url_patterns(patterns=None, prefix="", namespace=None):
    """(route, "namespace:name") of every pattern the resolver knows."""
    for entry in get_resolver().url_patterns if patterns is None else patterns:
        if isinstance(entry, URLResolver):
            inner = ":".join(filter(None, [namespace, entry.namespace])) or None
            yield from url_patterns(entry.url_patterns, prefix + str(entry.pattern), inner)
        elif isinstance(entry, URLPattern):
            yield prefix + str(entry.pattern), f"{namespace}:{entry.name}" if namespace else entry.name


def api_operations():
    """("METHOD", "/api/v1/path") of every operation in the OpenAPI document."""
    for path, operations in api.get_openapi_schema()["paths"].items():
        for method in operations:
            yield method.upper(), path


def candidates(app_label, param):
    """Values to put in a path parameter: ids of the rows of the app's models, or their codes."""
    try:
        models = apps.get_app_config(app_label).get_models()
    except LookupError:
        models = apps.get_models()
    values = []
    for model in models:
        if param in ("code", "str"):
            if any(f.name == "code" for f in model._meta.fields):
                values += list(model.objects.values_list("code", flat=True)[:MAX_CANDIDATES])
        else:
            wanted = param.removesuffix("_id").removesuffix("_pk")
            if wanted not in ("pk", "id") and model._meta.model_name != wanted.replace("_", ""):
                continue
            values += list(model.objects.values_list("pk", flat=True)[:MAX_CANDIDATES])
    return sorted({str(v) for v in values})[: MAX_CANDIDATES * 2] or ["1"]


def fill(route, app_label, brace=False):
    """Every way of filling the route's parameters from `candidates` (one parameter varies at a time)."""
    pattern = r"\{(\w+)\}" if brace else r"<(?:(\w+):)?(\w+)>"
    params = re.findall(pattern, route)
    if not params:
        return [route]
    names = [p if brace else (p[1] if p[1] not in ("str", "int", "path", "slug") else p[0]) for p in params]
    names = [n if n else "pk" for n in names]
    options = [candidates(app_label, "code" if n == "code" else n) for n in names]
    urls = set()
    for index, values in enumerate(options):
        for value in values:
            chosen = [value if i == index else opts[0] for i, opts in enumerate(options)]
            parts = re.split(pattern, route)
            # re.split keeps each parameter's groups between the literal pieces; put the values there instead.
            step = len(re.compile(pattern).groupindex) or re.compile(pattern).groups
            literal = parts[:: step + 1]
            urls.add("".join(piece + (chosen[i] if i < len(chosen) else "") for i, piece in enumerate(literal)))
    return sorted(urls)


def succeeded(response):
    if 200 <= response.status_code < 300:
        return True
    if 300 <= response.status_code < 400:
        return not response["Location"].split("?")[0].endswith(LOGIN_PATHS)
    return False


def allowed(key, who):
    if key in routes.PUBLIC:
        return True
    if who == "anonymous":
        return False
    if key in routes.ACCOUNT:
        return True
    return who == "other city" and key in routes.CLUSTER


def walk(users):
    """Walk everything as each user; returns (requests made, successes not on the lists)."""
    made, leaks = 0, []
    for who, user in users.items():
        client = client_for(user)
        for route, name in url_patterns():
            if route.startswith(("api/v1/", "admin/")):
                continue  # the API is walked from its document; the admin checks staff status itself
            if allowed(name, who):
                continue
            app_label = (name or "").split(":")[0] if name and ":" in name else "core"
            for url in fill(route, app_label):
                for method in ("get", "post"):
                    response = getattr(client, method)("/" + url)
                    made += 1
                    if succeeded(response):
                        leaks.append(f"{who}: {method.upper()} /{url} ({name}) → {response.status_code}")
        for method, path in api_operations():
            key = f"{method} {path}"
            if allowed(key, who):
                continue
            app_label = path.removeprefix("/api/v1/").split("/")[0]
            for url in fill(path, app_label, brace=True):
                response = client.generic(method, url, "{}", content_type="application/json")
                made += 1
                if succeeded(response):
                    leaks.append(f"{who}: {key} as {url} → {response.status_code}")
    return made, leaks


def test_no_route_answers_someone_it_should_refuse(private_objects, cluster, outsider, other_city_user):
    made, leaks = walk({"anonymous": None, "outsider": outsider, "other city": other_city_user})
    patterns = sum(1 for route, _name in url_patterns() if not route.startswith(("api/v1/", "admin/")))
    print(f"\nroute walk: {patterns} URL patterns and {len(list(api_operations()))} API operations, {made} requests")
    assert leaks == [], "\n".join(leaks)
    assert made > 300  # the walk reached the routes (not a loop over nothing)


def test_the_lists_name_only_routes_that_exist():
    names = {name for _route, name in url_patterns()}
    operations = {f"{method} {path}" for method, path in api_operations()}
    listed = routes.PUBLIC | routes.ACCOUNT | routes.CLUSTER
    assert sorted(listed - names - operations) == []


def test_a_city_user_is_refused_another_citys_report_and_evidence_too(private_objects, cluster):
    """The walk's own check can fail: a member of 太原 reaches the objects the uninvolved city is refused."""
    from xietong.supervision.models import Evidence

    taiyuan_viewer = make_user("taiyuan-viewer", cluster["taiyuan"], Role.VIEWER)
    evidence = Evidence.objects.get()
    assert client_for(taiyuan_viewer).get(f"/supervision/evidence/{evidence.pk}/").status_code == 200
    made, leaks = walk({"other city": taiyuan_viewer})
    assert any(f"/supervision/evidence/{evidence.pk}/" in leak for leak in leaks)


def test_uploaded_files_have_no_url_of_their_own_even_with_debug(private_objects, settings, cluster):
    """Files are served by access-checked views only; their stored paths cannot be guessed from ids."""
    import importlib

    from django.urls import Resolver404
    from django.urls.resolvers import RegexPattern, URLResolver

    import xietong.urls
    from xietong.meetings.models import MeetingAttachment
    from xietong.supervision.models import Evidence

    settings.DEBUG = True
    try:
        urls_in_debug = importlib.reload(xietong.urls)  # the URL list as a DEBUG process builds it
        resolver = URLResolver(RegexPattern(r"^/"), urls_in_debug)
        for stored in (Evidence.objects.get().file.name, MeetingAttachment.objects.get().file.name):
            with pytest.raises(Resolver404):
                resolver.resolve(f"/media/{stored}")
            assert len(stored.split("/")[2]) >= 16  # the random directory
    finally:
        settings.DEBUG = False
        importlib.reload(xietong.urls)
