from axes.handlers.proxy import AxesProxyHandler
from django.conf import settings
from django.contrib.auth.signals import user_login_failed
from django.utils import timezone
from ninja import Router, Schema
from ninja.errors import Throttled
from ninja.security import APIKeyCookie, HttpBearer

from .access import memberships_of
from .models import ApiToken


class TokenAuth(HttpBearer):
    """Bearer tokens for machine clients (scripts of the city offices, monitoring feeds)."""

    def authenticate(self, request, token):
        # Wrong tokens count like wrong passwords (django-axes): per address and per token prefix, then 429.
        credentials = {"username": f"api-token:{token[:8]}"}
        AxesProxyHandler.update_request(request)
        if not AxesProxyHandler.is_allowed(request, credentials):
            raise Throttled(wait=int(settings.AXES_COOLOFF_TIME * 3600))
        try:
            api_token = ApiToken.objects.select_related("user").get(
                key_hash=ApiToken.hash_key(token), revoked_at__isnull=True, user__is_active=True
            )
        except ApiToken.DoesNotExist:
            user_login_failed.send(sender=TokenAuth, credentials=credentials, request=request)
            return None
        now = timezone.now()
        # Writing on every call would turn each read into a write; once a minute is enough to audit.
        if api_token.last_used_at is None or (now - api_token.last_used_at).total_seconds() > 60:
            ApiToken.objects.filter(pk=api_token.pk).update(last_used_at=now)
        request.user = api_token.user
        return api_token.user


class SessionAuth(APIKeyCookie):
    """The browser's session, with Django's CSRF check on writes.

    A request without a logged-in session is not authenticated at all, so it gets 401
    rather than a CSRF refusal about a token it never had.
    """

    param_name = settings.SESSION_COOKIE_NAME

    def _get_key(self, request):
        if not request.user.is_authenticated:
            return None
        return super()._get_key(request)

    def authenticate(self, request, key):
        if not request.user.is_authenticated:
            return None
        request.auth_by_session = True  # re-authentication rules apply to sessions, not to API tokens
        return request.user


router = Router(tags=["core"])


class MembershipOut(Schema):
    unit_id: int
    unit: str
    unit_kind: str
    role: str


class MeOut(Schema):
    username: str
    name: str
    memberships: list[MembershipOut]


@router.get("/me", response=MeOut, summary="The authenticated user and their units")
def me(request):
    user = request.auth
    return {
        "username": user.get_username(),
        "name": user.get_full_name() or user.get_username(),
        "memberships": [
            {"unit_id": m.unit_id, "unit": m.unit.name, "unit_kind": m.unit.kind, "role": m.get_role_display()}
            for m in memberships_of(user)
        ],
    }


class NotificationOut(Schema):
    id: int
    kind: str
    title: str
    body: str
    url: str
    created_at: str
    read: bool


@router.get("/notifications", response=list[NotificationOut], summary="The user's inbox, newest first")
def notifications(request, unread: bool = False):
    items = request.auth.notifications.all()
    if unread:
        items = items.filter(read_at__isnull=True)
    return [
        {
            "id": n.id,
            "kind": n.kind,
            "title": n.title_text,
            "body": n.body,
            "url": n.url,
            "created_at": n.created_at.isoformat(),
            "read": n.read_at is not None,
        }
        for n in items[:200]
    ]
