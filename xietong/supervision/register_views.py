"""The matter register (督办台账) as .xlsx: exported with the list's filters, imported by the office."""

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from xietong.core.access import require_member

from . import register
from .access import can_supervise
from .actions import ImportRefused, do_import_matters
from .dashboard import filtered_matters
from .forms import FilterForm
from .models import CoUnit

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
MAX_BYTES = 5 * 1024 * 1024


@login_required
def register_xlsx(request):
    """The matters of the list as the reader sees them, with the same filters (the query string)."""
    require_member(request.user)
    today = timezone.localdate()
    filters = FilterForm(request.GET or None, user=request.user).filters()
    matters = (
        filtered_matters(request.user, filters, today)
        .select_related("lead_unit")
        .prefetch_related(_co_units())
        .order_by("due_date", "id")
    )
    response = HttpResponse(register.export_xlsx(matters, today), content_type=XLSX)
    response["Content-Disposition"] = content_disposition_header(as_attachment=True, filename=register.filename(today))
    return response


def _co_units():
    from django.db.models import Prefetch

    return Prefetch("co_units", CoUnit.objects.select_related("unit").order_by("id"))


class ImportForm(forms.Form):
    file = forms.FileField(
        label=gettext_lazy("Register (.xlsx)"),
        widget=forms.ClearableFileInput(attrs={"accept": ".xlsx"}),
        help_text=gettext_lazy(
            "The first row names the columns, as in an exported register: 编号, 标题, 领域, 牵头单位, 开始日期 and "
            "截止日期 are required; 配合单位, 子领域, 优先级, 报送频次 and 内容 may follow."
        ),
    )


@login_required
def register_import(request):
    if not can_supervise(request.user):
        raise PermissionDenied
    refused = None
    form = ImportForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        uploaded = form.cleaned_data["file"]
        try:
            if uploaded.size > MAX_BYTES:
                raise register.UnreadableFile(_("The file is larger than 5 MB."))
            rows = register.parse_xlsx(uploaded.read())
            created = do_import_matters(actor=request.user, rows=rows)
        except register.UnreadableFile as error:
            form.add_error("file", str(error))
        except ImportRefused as error:
            refused = error.rows
            form.add_error(None, error.messages[0])
        except ValidationError as error:
            form.add_error("file", error.messages[0])
        else:
            messages.success(
                request,
                _("%(count)d matters were imported as drafts; assign them when they are ready.")
                % {"count": len(created)},
            )
            return redirect(reverse("supervision:matters") + "?state=draft")
    return render(request, "supervision/register_import.html", {"form": form, "refused": refused})
