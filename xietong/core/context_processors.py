from django.utils.functional import SimpleLazyObject

from . import workqueue
from .workflows import workflows


def navigation(request):
    user = getattr(request, "user", None)
    unread = 0
    work_count = 0
    if user is not None and user.is_authenticated:
        unread = user.notifications.filter(read_at__isnull=True).count()
        # Lazy: pages that never show the navigation (files, JSON) do not pay for the queue.
        work_count = SimpleLazyObject(lambda: workqueue.count_for(user))
    return {"nav_workflows": workflows(), "nav_unread": unread, "nav_work_count": work_count}
