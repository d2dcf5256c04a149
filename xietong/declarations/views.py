import datetime

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Count, Q
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from xietong.core.forms import apply_errors, submit
from xietong.core.models import Unit, UnitKind
from xietong.core.personal import mask_id_number, mask_name, mask_phone
from xietong.core.reauth import recent_login_required

from . import access, actions, bulletin, history, statistics
from .forms import AmendForm, DeclarationForm, MeasureForm, NoticeForm, PlaceAreaForm, RevealForm, StopFormSet
from .models import (
    AreaStatus,
    Declaration,
    Match,
    MeasureState,
    Notice,
    NoticeState,
    RiskArea,
    State,
    Tier,
)

# --- public: the traveller's pages --------------------------------------------------------------------------


def declare(request, city):
    """The public form of one city's prevention office (no account needed)."""
    intake_city = get_object_or_404(Unit, slug=city, kind=UnitKind.CITY)
    form = DeclarationForm(request.POST or None)
    stops = StopFormSet(request.POST or None, prefix="stops")
    stop_errors = []
    if request.method == "POST":
        form_ok, stops_ok = form.is_valid(), stops.is_valid()
        if form_ok and stops_ok:
            data = dict(form.cleaned_data)
            data["stops"] = [
                {
                    "region": s.cleaned_data.get("place"),
                    "start": s.cleaned_data.get("start"),
                    "end": s.cleaned_data.get("end"),
                    "transport": s.cleaned_data.get("transport"),
                }
                for s in stops.forms
                if not s.is_blank()
            ]
            try:
                declaration, _created = actions.do_submit_declaration(data=data, intake_city=intake_city)
            except ValidationError as error:
                if hasattr(error, "error_dict"):
                    stop_errors = error.message_dict.pop("stops", [])
                    error = (
                        ValidationError({k: v for k, v in error.message_dict.items()}) if error.message_dict else None
                    )
                if error is not None:
                    apply_errors(form, error)
            else:
                return redirect("declarations:receipt", receipt=declaration.receipt)
        if stops.non_form_errors():
            stop_errors.extend(stops.non_form_errors())
    return render(
        request,
        "declarations/declare.html",
        {"form": form, "stops": stops, "stop_errors": stop_errors, "city": intake_city},
        status=400 if request.method == "POST" else 200,
    )


def receipt(request, receipt):
    """The person's result: screening, the reason, what to do, the measures ahead. No personal data."""
    declaration = get_object_or_404(
        Declaration.objects.select_related("community", "edition", "city", "destination"), receipt=receipt.upper()
    )
    matches = list(
        Match.objects.filter(declaration=declaration)
        .select_related("stop__region", "area", "notice__office__unit")
        .order_by("-left_on")
    )
    rule = declaration.edition.rule_for(declaration.tier) if declaration.edition and declaration.tier else None
    return render(
        request,
        "declarations/receipt.html",
        {
            "declaration": declaration,
            "masked_name": mask_name(declaration.name),
            "matches": matches,
            "rule": rule,
            "measures": declaration.measures.exclude(state=MeasureState.CANCELLED),
        },
    )


def public_notices(request):
    """The risk areas in force, as travellers check them before declaring."""
    notices = (
        Notice.objects.filter(state=NoticeState.PUBLISHED)
        .select_related("office__unit")
        .prefetch_related("areas")
        .order_by("-published_on", "-pk")
    )
    cities = Unit.objects.filter(kind=UnitKind.CITY).order_by("sort_order", "pk")
    return render(request, "declarations/public_notices.html", {"notices": notices, "cities": cities})


# --- staff: declarations ------------------------------------------------------------------------------------


@login_required
def dashboard(request):
    access.require_shared(request.user)
    queryset = access.visible_declarations(request.user).select_related("community", "city", "intake_city")
    state = request.GET.get("state", "")
    if state in State.values:
        queryset = queryset.filter(state=state)
    tier = request.GET.get("tier", "")
    if tier in Tier.values:
        queryset = queryset.filter(tier=tier)
    page = Paginator(queryset.order_by("-arrival_date", "-pk"), 50).get_page(request.GET.get("page"))
    rows = [{"d": d, "name": mask_name(d.name), "phone": mask_phone(d.phone)} for d in page]
    return render(
        request,
        "declarations/dashboard.html",
        {
            "page": page,
            "rows": rows,
            "states": State.choices,
            "tiers": Tier.choices,
            "state": state,
            "tier": tier,
            "offices": access.publishing_offices(request.user),
            "can_read_shared": access.can_read_shared(request.user),
        },
    )


@login_required
def declaration_detail(request, pk):
    declaration = access.get_declaration(request.user, pk)
    revealed = None
    reveal_form = RevealForm(request.POST or None) if request.method == "POST" else RevealForm()
    if request.method == "POST":
        try:
            revealed = actions.reveal(
                actor=request.user, declaration=declaration, purpose=request.POST.get("purpose", "")
            )
        except ValidationError as error:
            apply_errors(reveal_form, error)
        except PermissionDenied:
            raise
    matches = (
        Match.objects.filter(declaration=declaration)
        .select_related("stop__region", "area__region", "notice")
        .order_by("-left_on")
    )
    handover = _get_handover(declaration)
    today = timezone.localdate()
    return render(
        request,
        "declarations/detail.html",
        {
            "d": declaration,
            "masked": {
                "name": mask_name(declaration.name),
                "id_number": mask_id_number(declaration.id_number),
                "phone": mask_phone(declaration.phone),
            },
            "revealed": revealed,
            "reveal_form": reveal_form,
            "stops": declaration.stops.select_related("region"),
            "matches": matches,
            "measures": declaration.measures.all(),
            "today": today,
            "can_handle": access.can_handle(request.user, declaration),
            "handover": handover,
            "can_receive": handover is not None and access.can_receive_handover(request.user, handover),
            "events": history.events(declaration),
            "measure_form": MeasureForm(),
        },
        status=400 if reveal_form.errors else 200,
    )


def _get_handover(declaration):
    try:
        return declaration.handover
    except Declaration.handover.RelatedObjectDoesNotExist:
        return None


@login_required
@require_POST
def acknowledge(request, pk):
    declaration = access.get_declaration(request.user, pk)
    try:
        actions.do_acknowledge(actor=request.user, declaration=declaration)
        messages.success(request, _("Taken on. The measures are in your work queue on their days."))
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    return redirect("declarations:declaration", pk=pk)


@login_required
@require_POST
def record_measure(request, pk):
    measure = access.get_measure(request.user, pk)
    try:
        actions.do_record_measure(actor=request.user, measure=measure, result=request.POST.get("result", ""))
        messages.success(request, _("Recorded."))
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    return redirect("declarations:declaration", pk=measure.declaration_id)


@login_required
@require_POST
def receive_handover(request, pk):
    handover = access.get_handover(request.user, pk)
    actions.do_receive_handover(actor=request.user, handover=handover)
    messages.success(request, _("Hand-over received."))
    return redirect("declarations:declaration", pk=handover.declaration_id)


# --- staff: notices -----------------------------------------------------------------------------------------


@login_required
def notice_list(request):
    access.require_shared(request.user)
    notices = Notice.objects.select_related("office__unit", "office__city").annotate(
        area_count=Count("areas"), review_count=Count("areas", filter=Q(areas__status=AreaStatus.REVIEW))
    )
    return render(
        request,
        "declarations/notice_list.html",
        {"notices": notices, "offices": access.publishing_offices(request.user)},
    )


@login_required
def notice_create(request):
    offices = access.publishing_offices(request.user)
    if not offices:
        raise PermissionDenied
    office = offices[0]
    if request.GET.get("office") or request.POST.get("office"):
        office = next(
            (o for o in offices if str(o.pk) == (request.POST.get("office") or request.GET.get("office"))), None
        )
        if office is None:
            raise PermissionDenied
    form = NoticeForm(request.POST or None)
    if request.method == "POST":
        done, notice = submit(form, lambda data: actions.do_create_notice(actor=request.user, office=office, **data))
        if done:
            return redirect("declarations:notice", pk=notice.pk)
    return render(
        request,
        "declarations/notice_form.html",
        {"form": form, "office": office, "offices": offices},
        status=400 if form.errors else 200,
    )


@login_required
def notice_detail(request, pk):
    notice = access.get_notice(request.user, pk)
    areas = list(notice.areas.select_related("region"))
    can_edit = access.can_publish(request.user, notice.office)
    return render(
        request,
        "declarations/notice_detail.html",
        {
            "notice": notice,
            "areas": areas,
            "placed": sum(a.status == AreaStatus.PLACED for a in areas),
            "review": [a for a in areas if a.status == AreaStatus.REVIEW],
            "can_edit": can_edit,
            "amend_form": AmendForm(),
            "place_form": PlaceAreaForm(),
            "events": history.events(notice),
            "tiers": Tier.choices,
        },
    )


def _notice_action(request, pk, run, done):
    notice = access.get_notice_to_edit(request.user, pk)
    try:
        run(notice)
        messages.success(request, done)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    return redirect("declarations:notice", pk=notice.pk)


@login_required
@require_POST
@recent_login_required()
def notice_publish(request, pk):
    return _notice_action(
        request,
        pk,
        lambda n: actions.do_publish_notice(actor=request.user, notice=n),
        _("Published. Stored declarations are being screened again."),
    )


@login_required
@require_POST
def notice_lift(request, pk):
    return _notice_action(
        request,
        pk,
        lambda n: actions.do_lift_notice(actor=request.user, notice=n),
        _("Lifted. Pending measures that followed from it are relaxed."),
    )


@login_required
@require_POST
def notice_amend(request, pk):
    lift = []
    for value in request.POST.getlist("lift"):
        if not value.isdigit():
            raise Http404
        lift.append(int(value))
    tiers = {}
    for key, value in request.POST.items():
        if key.startswith("tier-") and key[5:].isdigit() and value:
            tiers[int(key[5:])] = value
    return _notice_action(
        request,
        pk,
        lambda n: actions.do_amend_notice(
            actor=request.user,
            notice=n,
            add_text=request.POST.get("add_text", ""),
            lift_area_ids=lift,
            tiers={k: v for k, v in tiers.items() if RiskArea.objects.filter(pk=k, notice=n).exclude(tier=v).exists()},
        ),
        _("Amended. Stored declarations are being screened again."),
    )


@login_required
@require_POST
def area_place(request, pk):
    area = access.get_area_to_edit(request.user, pk)
    form = PlaceAreaForm(request.POST)
    if form.is_valid():
        try:
            actions.do_resolve_area(actor=request.user, area=area, **form.cleaned_data)
            messages.success(request, _("Placed."))
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
    else:
        messages.error(request, " ".join(e for errors in form.errors.values() for e in errors))
    return redirect("declarations:notice", pk=area.notice_id)


# --- bulletin and statistics --------------------------------------------------------------------------------


def _day(request):
    try:
        return datetime.date.fromisoformat(request.GET.get("day", ""))
    except ValueError:
        return timezone.localdate()


@login_required
def bulletin_page(request):
    access.require_shared(request.user)
    day = _day(request)
    return render(request, "declarations/bulletin.html", {"b": bulletin.compute(day), "day": day})


@login_required
def bulletin_download(request, fmt):
    access.require_shared(request.user)
    day = _day(request)
    data = bulletin.compute(day)
    if fmt == "docx":
        content, kind = (
            bulletin.render_docx(data),
            "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        )
    else:
        content, kind = bulletin.render_xlsx(data), "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    response = HttpResponse(content, content_type=kind)
    response["Content-Disposition"] = f'attachment; filename="bulletin-{day.isoformat()}.{fmt}"'
    return response


def _period(request):
    today = timezone.localdate()
    try:
        end = datetime.date.fromisoformat(request.GET.get("end", ""))
    except ValueError:
        end = today
    try:
        start = datetime.date.fromisoformat(request.GET.get("start", ""))
    except ValueError:
        start = end - datetime.timedelta(days=13)
    if start > end or (end - start).days > 366:
        start = end - datetime.timedelta(days=13)
    return start, end


@login_required
def statistics_page(request):
    cities = access.statistics_cities(request.user)
    if not cities:
        raise PermissionDenied
    start, end = _period(request)
    return render(
        request,
        "declarations/statistics.html",
        {"s": statistics.compute(cities, start, end), "start": start, "end": end},
    )


@login_required
def statistics_xlsx(request):
    cities = access.statistics_cities(request.user)
    if not cities:
        raise PermissionDenied
    start, end = _period(request)
    response = HttpResponse(
        statistics.render_xlsx(statistics.compute(cities, start, end)),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    response["Content-Disposition"] = f'attachment; filename="declarations-{start}-{end}.xlsx"'
    return response
