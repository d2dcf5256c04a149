import datetime
import secrets

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Count, Q
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime
from django.utils.translation import gettext as _
from django.utils.translation import pgettext_lazy
from django.views.decorators.http import require_POST

from xietong.core.access import memberships_of, visible_units
from xietong.core.forms import submit
from xietong.core.models import Unit, UnitKind
from xietong.core.personal import blind_index, mask_phone
from xietong.core.timeline import history
from xietong.meetings.models import AgendaItem

from . import access, actions, rates
from .forms import ConcernForm, RatingForm, parse_questions
from .models import (
    Attendee,
    Concern,
    ConcernState,
    Hall,
    Proposal,
    Question,
    Resolution,
    Session,
    StakeholderGroup,
    Survey,
    Topic,
)

DEVICE_COOKIE = "xt_device"

VERBS = {
    "created": pgettext_lazy("concern event", "Topic opened"),
    "received": pgettext_lazy("concern event", "Received"),
    "accepted": pgettext_lazy("concern event", "Accepted"),
    "refused": pgettext_lazy("concern event", "Not accepted"),
    "duplicate": pgettext_lazy("concern event", "Marked as a duplicate"),
    "grouped": pgettext_lazy("concern event", "Taken up in a topic"),
    "on_agenda": pgettext_lazy("concern event", "On the agenda of a session"),
    "answered": pgettext_lazy("concern event", "Answered"),
    "resolved": pgettext_lazy("concern event", "Resolved by the session"),
    "rated": pgettext_lazy("concern event", "Rated"),
    "reopened": pgettext_lazy("concern event", "Reopened for a new answer (重办)"),
    "closed": pgettext_lazy("concern event", "Closed"),
    "moderated": pgettext_lazy("concern event", "Text moderated"),
    "progress": pgettext_lazy("concern event", "Delivery progress"),
    "sent_up": pgettext_lazy("concern event", "Sent up to the joint meeting above"),
    "merged": pgettext_lazy("concern event", "Merged into another topic"),
}


def _client_address(request):
    return request.META.get("REMOTE_ADDR", "")


def _events(obj, public_only):
    return [
        {
            "at": e.at,
            "verb": VERBS.get(e.verb, e.verb),
            "code": e.verb,
            "note": e.note,
            "actor": None if public_only else e.actor,
        }
        for e in history(obj, public_only=public_only)
    ]


def _delivery(concern):
    """The supervised matter that delivers the concern's resolution, if any (one query)."""
    if concern.topic_id is None:
        return None, None
    session = (
        Session.objects.filter(topic_id=concern.topic_id)
        .select_related("resolution__matter__lead_unit")
        .order_by("-starts_at")
        .first()
    )
    resolution = getattr(session, "resolution", None) if session else None
    return session, resolution


# --- public ------------------------------------------------------------------------------------------------


def report(request):
    """The public concern form: no account, phone first."""
    halls = list(Hall.objects.all())
    initial = {"hall": halls[0]} if len(halls) == 1 else {}
    slug = request.GET.get("hall")
    if slug:
        initial["hall"] = next((h for h in halls if h.slug == slug), None)
    form = ConcernForm(request.POST or None, request.FILES or None, initial=initial)
    if request.method == "POST":
        done, concern = submit(
            form,
            lambda data: actions.do_submit_concern(
                hall=data["hall"],
                text=data["text"],
                category=data["category"],
                region=data["place"],
                address=data["address"],
                lat=data["lat"],
                lon=data["lon"],
                photo=data["photo"],
                contact=data["contact"],
                source=_client_address(request),
                honeypot=data["website"],
            ),
        )
        if done:
            messages.success(
                request,
                _("Your concern has been received. Keep its tracking code %(code)s to follow it.")
                % {"code": concern.code},
            )
            return redirect("deliberation:track", code=concern.code)
    return render(request, "deliberation/report.html", {"form": form})


def track_lookup(request):
    code = (request.GET.get("code") or "").strip().upper()
    if code:
        if Concern.objects.filter(code=code).exists():
            return redirect("deliberation:track", code=code)
        messages.error(
            request, _("No concern has the tracking code %(code)s. Check the code and try again.") % {"code": code}
        )
    return render(request, "deliberation/track_lookup.html", {"code": code})


def track(request, code):
    concern = access.get_public_concern(code)
    session, resolution = _delivery(concern)
    matter = resolution.matter if resolution else None
    context = {
        "concern": concern,
        "session": session,
        "resolution": resolution,
        "matter": matter,
        "timeline": _events(concern, public_only=True),
        "rating_form": RatingForm() if concern.can_rate else None,
        "ratings": list(concern.ratings.all()),
        "public": concern.state in access.PUBLIC_STATES,
    }
    return render(request, "deliberation/track.html", context)


def photo(request, code):
    """The re-encoded photo of a concern, for whoever holds its code (it carries no metadata)."""
    concern = access.get_public_concern(code)
    if not concern.photo:
        raise Http404
    return FileResponse(concern.photo.open("rb"), content_type="image/jpeg")


@require_POST
def rate(request, code):
    concern = access.get_public_concern(code)
    form = RatingForm(request.POST)
    if form.is_valid():
        try:
            actions.do_rate(concern=concern, value=form.cleaned_data["value"], comment=form.cleaned_data["comment"])
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, _("Thank you. Your rating has been recorded."))
    else:
        messages.error(request, _("Choose one of the three answers."))
    return redirect("deliberation:track", code=concern.code)


@require_POST
def me_too(request, code):
    concern = access.get_public_concern(code)
    device = request.COOKIES.get(DEVICE_COOKIE) or secrets.token_urlsafe(16)
    try:
        actions.do_me_too(
            concern=concern, device=device, contact=request.POST.get("contact", ""), source=_client_address(request)
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("Your support has been counted."))
    response = redirect(
        request.POST.get("next")
        if request.POST.get("next", "").startswith("/deliberation/")
        else reverse("deliberation:track", args=[concern.code])
    )
    response.set_cookie(DEVICE_COOKIE, device, max_age=3600 * 24 * 365, httponly=True, samesite="Lax")
    return response


def public_list(request):
    """Accepted concerns anyone may support (附议), without personal data."""
    concerns = access.public_concerns().select_related("hall", "category").order_by("-received_at", "-id")
    page = Paginator(concerns, 20).get_page(request.GET.get("page"))
    return render(request, "deliberation/public_list.html", {"page": page})


def _month(request):
    today = timezone.localdate()
    try:
        year, month = (int(x) for x in request.GET.get("month", "").split("-"))
        datetime.date(year, month, 1)
    except ValueError:
        year, month = today.year, today.month
    return year, month


def scoreboard(request):
    """The three rates per hall, town and city for a month, each with its formula."""
    year, month = _month(request)
    halls = list(Hall.objects.select_related("unit").order_by("id"))
    by_hall = rates.rates_by_hall(year, month, halls)
    rows = []
    for hall in halls:
        rows.append({"scope": hall.name, "level": _("Hall"), "rates": by_hall.get(hall.pk, rates.Rates())})
    # Towns and cities above the halls, each summing its halls.
    ancestors = {}
    for hall in halls:
        for unit_id in hall.unit.ancestors():
            ancestors.setdefault(unit_id, []).append(hall.pk)
    units = Unit.objects.filter(pk__in=ancestors, kind__in=[UnitKind.TOWN, UnitKind.CITY]).order_by("path")
    for unit in units:
        level = _("Town") if unit.kind == UnitKind.TOWN else _("City")
        rows.append(
            {
                "scope": unit.display_name,
                "level": level,
                "rates": rates.total(by_hall.get(pk, rates.Rates()) for pk in ancestors[unit.pk]),
            }
        )
    previous = (datetime.date(year, month, 1) - datetime.timedelta(days=1)).strftime("%Y-%m")
    following = (datetime.date(year, month, 28) + datetime.timedelta(days=5)).strftime("%Y-%m")
    return render(
        request,
        "deliberation/scoreboard.html",
        {"rows": rows, "month": f"{year}-{month:02d}", "previous": previous, "following": following},
    )


# --- staff -------------------------------------------------------------------------------------------------


def _require_member(user):
    if not (user.is_superuser or memberships_of(user)):
        raise PermissionDenied


@login_required
def home(request):
    _require_member(request.user)
    halls = access.visible_halls(request.user).annotate(
        waiting=Count("concerns", filter=Q(concerns__state=ConcernState.RECEIVED))
    )
    halls = list(halls.select_related("unit"))
    if len(halls) == 1:
        return redirect("deliberation:hall", pk=halls[0].pk)
    return render(request, "deliberation/home.html", {"halls": halls})


@login_required
def hall_detail(request, pk):
    hall = access.get_hall_for_user(request.user, pk)
    state = request.GET.get("state", ConcernState.RECEIVED)
    concerns = hall.concerns.select_related("category", "topic").order_by("-received_at", "-id")
    if state in ConcernState.values:
        concerns = concerns.filter(state=state)
    page = Paginator(concerns, 25).get_page(request.GET.get("page"))
    for concern in page:
        concern.masked_contact = mask_phone(concern.contact) if concern.contact else ""
    topics = list(hall.topics.annotate(n=Count("concerns")).order_by("-created_at")[:30])
    sessions = list(hall.sessions.select_related("topic").order_by("-starts_at")[:20])
    suggestions = actions.suggest_groups(hall) if actions.can_staff(request.user, hall) else []
    return render(
        request,
        "deliberation/hall.html",
        {
            "hall": hall,
            "page": page,
            "state": state,
            "states": ConcernState.choices,
            "topics": topics,
            "sessions": sessions,
            "suggestions": suggestions,
            "can_staff": actions.can_staff(request.user, hall),
        },
    )


def _concern_ids(request, hall):
    ids = [int(x) for x in request.POST.getlist("concern") if x.isdigit()]
    return list(hall.concerns.filter(pk__in=ids))


@login_required
@require_POST
def group_confirm(request, pk):
    hall = access.get_hall_for_user(request.user, pk)
    concerns = _concern_ids(request, hall)
    topic_id = request.POST.get("topic", "")
    try:
        if not concerns:
            raise ValidationError(_("Choose at least one concern."))
        if topic_id.isdigit():
            topic = access.get_topic_for_user(request.user, int(topic_id))
            actions.do_add_to_topic(actor=request.user, topic=topic, concerns=concerns)
        else:
            topic = actions.do_create_topic(
                actor=request.user, hall=hall, title=request.POST.get("title", ""), concerns=concerns
            )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect("deliberation:hall", pk=hall.pk)
    messages.success(
        request, _("%(n)s concerns are now under the topic “%(title)s”.") % {"n": len(concerns), "title": topic.title}
    )
    return redirect("deliberation:topic", pk=topic.pk)


@login_required
def concern_detail(request, pk):
    concern = access.get_concern_for_user(request.user, pk)
    revealed = None
    if request.method == "POST":
        action = request.POST.get("action")
        try:
            if action == "accept":
                actions.do_accept(actor=request.user, concern=concern)
            elif action == "refuse":
                actions.do_refuse(actor=request.user, concern=concern, reason=request.POST.get("reason", ""))
            elif action == "duplicate":
                original = Concern.objects.filter(
                    hall=concern.hall, code=request.POST.get("original", "").strip().upper()
                ).first()
                if original is None:
                    raise ValidationError(_("No concern of this hall has that tracking code."))
                actions.do_mark_duplicate(actor=request.user, concern=concern, original=original)
            elif action == "moderate":
                actions.do_moderate(actor=request.user, concern=concern, text=request.POST.get("text", ""))
            elif action == "answer":
                actions.do_answer(actor=request.user, concern=concern, answer=request.POST.get("answer", ""))
            elif action == "reveal":
                revealed = actions.do_reveal_contact(
                    actor=request.user, concern=concern, purpose=request.POST.get("purpose", "")
                )
            else:
                raise ValidationError(_("Unknown action."))
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            if revealed is None:
                messages.success(request, _("Saved."))
                return redirect("deliberation:concern", pk=concern.pk)
        concern = access.get_concern_for_user(request.user, pk)
    session, resolution = _delivery(concern)
    match, score = (None, 0.0)
    if concern.topic_id is None and concern.state in (ConcernState.RECEIVED, ConcernState.ACCEPTED):
        match, score = actions.match_topic(concern.hall, concern.text)
    return render(
        request,
        "deliberation/concern.html",
        {
            "concern": concern,
            "masked_contact": mask_phone(concern.contact) if concern.contact else "",
            "revealed": revealed,
            "timeline": _events(concern, public_only=False),
            "session": session,
            "resolution": resolution,
            "match": match,
            "score": score,
            "can_staff": actions.can_staff(request.user, concern.hall),
        },
    )


@login_required
def topic_detail(request, pk):
    topic = access.get_topic_for_user(request.user, pk)
    hall = topic.hall
    if request.method == "POST":
        action = request.POST.get("action")
        try:
            if action == "split":
                new = actions.do_split_topic(
                    actor=request.user,
                    topic=topic,
                    concerns=_concern_ids(request, hall),
                    title=request.POST.get("title", ""),
                )
                return redirect("deliberation:topic", pk=new.pk)
            if action == "merge":
                # The getter answers 404 for a topic the reader cannot see and for anything that is not an id.
                other = access.get_topic_for_user(request.user, request.POST.get("other", ""))
                actions.do_merge_topics(actor=request.user, topic=topic, others=[other])
            elif action == "send_up":
                item = actions.do_send_topic_up(actor=request.user, topic=topic, reason=request.POST.get("reason", ""))
                messages.success(
                    request,
                    _("The topic is proposed for the agenda of %(meeting)s.") % {"meeting": item.meeting.title},
                )
            elif action == "schedule":
                starts_at = parse_datetime(request.POST.get("starts_at", ""))
                if starts_at is not None and timezone.is_naive(starts_at):
                    starts_at = timezone.make_aware(starts_at)
                invitees = []
                for line in request.POST.get("invitees", "").splitlines():
                    name, _sep, people = line.partition("：" if "：" in line else ":")
                    invitees.append((name, people.replace("，", ",").replace("、", ",").split(",")))
                session = actions.do_schedule_session(
                    actor=request.user,
                    topic=topic,
                    title=request.POST.get("title", ""),
                    starts_at=starts_at,
                    place=request.POST.get("place", ""),
                    invitees=invitees,
                    kind=request.POST.get("kind") or Session.Kind.COUNCIL,
                )
                return redirect("deliberation:session", pk=session.pk)
            else:
                raise ValidationError(_("Unknown action."))
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        return redirect("deliberation:topic", pk=topic.pk)
    concerns = list(topic.concerns.select_related("category").order_by("received_at"))
    sent_up_to = (
        AgendaItem.objects.select_related("meeting").filter(pk=topic.sent_up_to_id).first()
        if topic.sent_up_to_id
        else None
    )
    can_manage = actions.can_manage(request.user, hall)
    return render(
        request,
        "deliberation/topic.html",
        {
            "topic": topic,
            "concerns": concerns,
            "residents": len(concerns) + sum(c.me_too_count for c in concerns),
            "sessions": list(topic.sessions.all()),
            "other_topics": list(hall.topics.filter(state=Topic.State.OPEN).exclude(pk=topic.pk)[:50]),
            "can_staff": actions.can_staff(request.user, hall),
            "sent_up_to": sent_up_to,
            "next_meeting": actions.next_joint_meeting(hall, timezone.localdate())
            if can_manage and topic.state in (Topic.State.OPEN, Topic.State.SCHEDULED)
            else None,
            "timeline": _events(topic, public_only=False),
        },
    )


@login_required
def session_detail(request, pk):
    session = access.get_session_for_user(request.user, pk)
    if request.method == "POST":
        action = request.POST.get("action")
        user = request.user
        try:
            if action == "sign_in":
                attendee = Attendee.objects.get(pk=request.POST.get("attendee"), session=session)
                actions.do_sign_in(actor=user, attendee=attendee)
            elif action == "attendee":
                group = StakeholderGroup.objects.get(pk=request.POST.get("group"), session=session)
                actions.do_add_attendee(actor=user, session=session, group=group, name=request.POST.get("name", ""))
            elif action == "opinion":
                speaker = Attendee.objects.filter(pk=request.POST.get("speaker") or 0, session=session).first()
                group = StakeholderGroup.objects.filter(pk=request.POST.get("group") or 0, session=session).first()
                actions.do_add_opinion(
                    actor=user, session=session, text=request.POST.get("text", ""), group=group, speaker=speaker
                )
            elif action == "proposal":
                funding = zip(request.POST.getlist("payer"), request.POST.getlist("percent"), strict=False)
                actions.do_add_proposal(
                    actor=user,
                    session=session,
                    title=request.POST.get("title", ""),
                    details=request.POST.get("details", ""),
                    funding=funding,
                )
            elif action == "vote":
                proposal = Proposal.objects.get(pk=request.POST.get("proposal"), session=session)
                attendee = Attendee.objects.get(pk=request.POST.get("attendee"), session=session)
                actions.do_cast_vote(
                    actor=user, proposal=proposal, attendee=attendee, choice=request.POST.get("choice", "")
                )
            elif action == "resolve":
                units = {u.pk: u for u in visible_units(user)}
                lead = units.get(int(request.POST.get("lead_unit") or 0))
                co_units = [units[int(x)] for x in request.POST.getlist("co_units") if x.isdigit() and int(x) in units]
                proposal = Proposal.objects.filter(pk=request.POST.get("proposal") or 0, session=session).first()
                actions.do_resolve(
                    actor=user,
                    session=session,
                    text=request.POST.get("text", ""),
                    target_date=parse_date(request.POST.get("target_date", "")),
                    lead_unit=lead,
                    co_units=co_units,
                    proposal=proposal,
                )
            else:
                raise ValidationError(_("Unknown action."))
        except (Attendee.DoesNotExist, Proposal.DoesNotExist, StakeholderGroup.DoesNotExist, ValueError):
            messages.error(request, _("That entry no longer exists. Reload the page."))
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, _("Saved."))
        return redirect(reverse("deliberation:session", args=[session.pk]) + f"#{action}")
    groups = list(session.groups.prefetch_related("attendees"))
    resolution = Resolution.objects.filter(session=session).select_related("matter").first()
    owner_units = list(
        visible_units(request.user).filter(path__startswith=session.hall.unit.path).exclude(pk=session.hall.unit_id)
    )
    return render(
        request,
        "deliberation/session.html",
        {
            "session": session,
            "groups": groups,
            "attendees": [a for g in groups for a in g.attendees.all()],
            "opinions": list(session.opinions.select_related("speaker", "group")),
            "results": list(actions.vote_results(session).values()),
            "resolution": resolution,
            "owner_units": owner_units,
            "can_staff": actions.can_staff(request.user, session.hall),
            "can_manage": actions.can_manage(request.user, session.hall),
            "today": timezone.localdate(),
        },
    )


# --- surveys (社情民意调查) ---------------------------------------------------------------------------------


def _survey_answers(request, questions):
    answers = {}
    for question in questions:
        key = f"q{question.pk}"
        if question.kind == Question.Kind.MULTIPLE:
            answers[question.pk] = request.POST.getlist(key)
        else:
            answers[question.pk] = request.POST.get(key, "")
    return answers


def _chart_data(results):
    """What the charts script draws, by question: the options' labels and counts (no written answers)."""
    return [
        {
            "id": r["question"].pk,
            "labels": [o["label"] for o in r["options"]],
            "counts": [o["count"] for o in r["options"]],
        }
        for r in results
        if r["options"]
    ]


def survey_answer(request, pk):
    """A resident answers an open survey, once, without an account (phone first)."""
    survey = access.get_public_survey(pk)
    questions = list(survey.questions.all())
    device = request.COOKIES.get(DEVICE_COOKIE) or secrets.token_urlsafe(16)
    errors, given = {}, {}
    if request.method == "POST":
        given = _survey_answers(request, questions)
        try:
            actions.do_answer_survey(
                survey=survey,
                answers=given,
                device=device,
                contact=request.POST.get("contact", ""),
                source=_client_address(request),
                honeypot=request.POST.get("website", ""),
            )
        except ValidationError as error:
            if hasattr(error, "error_dict"):
                errors = {key: " ".join(texts) for key, texts in error.message_dict.items()}
            else:
                messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, _("Thank you. Your answers have been recorded."))
            response = redirect("deliberation:survey-answer", pk=survey.pk)
            response.set_cookie(DEVICE_COOKIE, device, max_age=3600 * 24 * 365, httponly=True, samesite="Lax")
            return response
    answered = survey.responses.filter(device_index=blind_index(f"device:{device}")).exists()
    for question in questions:
        question.error = errors.get(f"q{question.pk}", "")
        value = given.get(question.pk)
        question.given = [str(v) for v in value] if isinstance(value, list) else [str(value or "")]
        question.options = list(enumerate(question.choices))
    return render(
        request,
        "deliberation/survey_answer.html",
        {
            "survey": survey,
            "questions": questions,
            "answered": answered,
            "contact_error": errors.get("contact", ""),
            "contact": request.POST.get("contact", ""),
        },
    )


def survey_public_results(request, pk):
    """Results as charts, for everyone once the survey is closed (earlier, they could sway the answers)."""
    survey = access.get_public_survey(pk)
    if survey.state != Survey.State.CLOSED:
        return render(request, "deliberation/survey_results.html", {"survey": survey, "results": None})
    results = actions.survey_results(survey)
    return render(
        request,
        "deliberation/survey_results.html",
        {"survey": survey, "results": results, "chart_data": _chart_data(results)},
    )


@login_required
def hall_surveys(request, pk):
    hall = access.get_hall_for_user(request.user, pk)
    can_staff = actions.can_staff(request.user, hall)
    questions_text = request.POST.get("questions", "")
    if request.method == "POST":
        topic = hall.topics.filter(pk=request.POST.get("topic") or 0).first()
        try:
            survey = actions.do_create_survey(
                actor=request.user,
                hall=hall,
                title=request.POST.get("title", ""),
                intro=request.POST.get("intro", ""),
                questions=parse_questions(questions_text),
                topic=topic,
            )
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, _("The survey is saved as a draft. Check it, then open it to residents."))
            return redirect("deliberation:survey", pk=survey.pk)
    return render(
        request,
        "deliberation/surveys.html",
        {
            "hall": hall,
            "surveys": list(hall.surveys.order_by("-created_at", "-id")),
            "topics": list(hall.topics.exclude(state=Topic.State.RESOLVED)[:50]),
            "can_staff": can_staff,
            "questions_text": questions_text,
            "title": request.POST.get("title", ""),
            "intro": request.POST.get("intro", ""),
        },
    )


@login_required
def survey_detail(request, pk):
    survey = access.get_survey_for_user(request.user, pk)
    if request.method == "POST":
        action = request.POST.get("action")
        try:
            if action == "open":
                actions.do_open_survey(actor=request.user, survey=survey)
            elif action == "close":
                actions.do_close_survey(actor=request.user, survey=survey)
            else:
                raise ValidationError(_("Unknown action."))
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, _("Saved."))
        return redirect("deliberation:survey", pk=survey.pk)
    results = actions.survey_results(survey, with_texts=True)
    return render(
        request,
        "deliberation/survey_detail.html",
        {
            "survey": survey,
            "results": results,
            "chart_data": _chart_data(results),
            "can_staff": actions.can_staff(request.user, survey.hall),
            "public_url": request.build_absolute_uri(reverse("deliberation:survey-answer", args=[survey.pk])),
        },
    )
