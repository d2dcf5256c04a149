"""Pages of the supervision bulletins: the list, issuing one (office), a bulletin, and its .docx, PDF and .xlsx."""

import datetime

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from xietong.core.forms import apply_errors
from xietong.core.officialdoc import PdfUnavailable
from xietong.core.reauth import recent_login_required

from . import bulletins, documents
from .access import can_supervise
from .actions import do_issue_bulletin
from .models import Bulletin

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
PDF = "application/pdf"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
DATE_ERRORS = {"invalid": gettext_lazy("Enter the date as YYYY-MM-DD, for example 2022-08-31.")}


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self):
        super().__init__(format="%Y-%m-%d")


class BulletinForm(forms.Form):
    period_start = forms.DateField(
        label=gettext_lazy("Period from"), input_formats=["%Y-%m-%d"], widget=DateInput(), error_messages=DATE_ERRORS
    )
    period_end = forms.DateField(
        label=gettext_lazy("Period to"), input_formats=["%Y-%m-%d"], widget=DateInput(), error_messages=DATE_ERRORS
    )

    def clean(self):
        data = super().clean()
        start, end = data.get("period_start"), data.get("period_end")
        if start and end and end < start:
            self.add_error("period_end", _("The period cannot end before it starts."))
        return data


def last_month(today):
    end = today.replace(day=1) - datetime.timedelta(days=1)
    return end.replace(day=1), end


def _require_reader(user):
    if not bulletins.can_read_bulletins(user):
        raise PermissionDenied


def _get_bulletin(request, pk):
    _require_reader(request.user)
    try:
        return Bulletin.objects.select_related("created_by").get(pk=pk)
    except Bulletin.DoesNotExist:
        raise Http404 from None


@login_required
def bulletin_list(request):
    _require_reader(request.user)
    page = Paginator(Bulletin.objects.select_related("created_by").order_by("-number"), 20).get_page(
        request.GET.get("page")
    )
    return render(request, "supervision/bulletin_list.html", {"page": page, "may_issue": can_supervise(request.user)})


@login_required
@recent_login_required(applies=lambda request: "preview" not in request.POST)
def bulletin_new(request):
    """GET shows the form; POST previews the figures (button "preview") or issues the bulletin."""
    if not can_supervise(request.user):
        raise PermissionDenied
    preview = None
    if request.method != "POST":
        start, end = last_month(timezone.localdate())
        form = BulletinForm(initial={"period_start": start, "period_end": end})
        return render(request, "supervision/bulletin_form.html", {"form": form, "preview": None})
    form = BulletinForm(request.POST)
    if form.is_valid():
        start, end = form.cleaned_data["period_start"], form.cleaned_data["period_end"]
        if "preview" in request.POST:
            draft = Bulletin(number=0, title=_("Preview"), period_start=start, period_end=end)
            draft.data = bulletins.compute(start, end)
            preview = bulletins.present(draft)
            preview["summary"] = bulletins.summary_sentence(preview)
        else:
            try:
                bulletin = do_issue_bulletin(actor=request.user, period_start=start, period_end=end)
            except ValidationError as error:
                apply_errors(form, error)
            else:
                messages.success(request, _("Bulletin no. %(number)d has been issued.") % {"number": bulletin.number})
                return redirect(bulletin)
    return render(request, "supervision/bulletin_form.html", {"form": form, "preview": preview})


@login_required
def bulletin_detail(request, pk):
    bulletin = _get_bulletin(request, pk)
    view = bulletins.present(bulletin)
    chart = {
        "cities": [row["label"] for row in view["by_city"]],
        "completion": [_as_percent(row["completion_rate"]) for row in view["by_city"]],
        "on_time": [_as_percent(row["on_time_rate"]) for row in view["by_city"]],
        "labels": {"completion": _("Completion rate"), "on_time": _("On-time rate")},
    }
    return render(
        request,
        "supervision/bulletin_detail.html",
        {**view, "summary": bulletins.summary_sentence(view), "chart": chart},
    )


def _as_percent(value):
    return None if value is None else round(value * 100, 1)


def _download(bulletin, content, extension, content_type):
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = content_disposition_header(
        as_attachment=True, filename=bulletins.filename(bulletin, extension)
    )
    return response


@login_required
def bulletin_docx(request, pk):
    bulletin = _get_bulletin(request, pk)
    return _download(bulletin, documents.render_docx(bulletin), "docx", DOCX)


@login_required
def bulletin_xlsx(request, pk):
    bulletin = _get_bulletin(request, pk)
    return _download(bulletin, documents.render_xlsx(bulletin), "xlsx", XLSX)


@login_required
def bulletin_pdf(request, pk):
    bulletin = _get_bulletin(request, pk)
    try:
        content = documents.render_pdf(bulletin)
    except PdfUnavailable:
        # The .docx is always there; the PDF needs LibreOffice on the server.
        return render(request, "supervision/bulletin_pdf_unavailable.html", {"bulletin": bulletin}, status=503)
    return _download(bulletin, content, "pdf", PDF)
