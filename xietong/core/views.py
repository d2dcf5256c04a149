from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from . import actions, workqueue
from .access import memberships_of
from .models import Unit, UnitKind


def home(request):
    office = Unit.objects.filter(kind=UnitKind.OFFICE, parent__isnull=True).first()
    cities = Unit.objects.filter(kind=UnitKind.CITY, parent=office).select_related("region") if office else []
    return render(
        request,
        "core/home.html",
        {"office": office, "cities": cities, "my_memberships": memberships_of(request.user)},
    )


@login_required
def inbox(request):
    items = request.user.notifications.all()
    if request.GET.get("unread"):
        items = items.filter(read_at__isnull=True)
    page = Paginator(items, 30).get_page(request.GET.get("page"))
    return render(request, "core/inbox.html", {"page": page, "unread_only": bool(request.GET.get("unread"))})


@login_required
def inbox_open(request, pk):
    """Follow a notification's link; opening it is reading it."""
    notification = get_object_or_404(request.user.notifications, pk=pk)
    actions.do_mark_read(user=request.user, notification_ids=[notification.pk])
    if notification.url and url_has_allowed_host_and_scheme(notification.url, allowed_hosts=None):
        return redirect(notification.url)
    return redirect("inbox")


@login_required
@require_POST
def inbox_mark_read(request):
    ids = request.POST.getlist("id")
    count = actions.do_mark_read(user=request.user, notification_ids=[int(i) for i in ids if i.isdigit()] or None)
    messages.success(request, _("%(count)d notifications marked as read.") % {"count": count})
    return redirect("inbox")


@login_required
def work(request):
    """工作台: the first page after login, every workflow's work for this person."""
    today = timezone.localdate()
    queue = workqueue.queue_for(request.user, today=today)
    return render(
        request,
        "core/work.html",
        {"queue": queue, "today": today, "my_memberships": memberships_of(request.user)},
    )
