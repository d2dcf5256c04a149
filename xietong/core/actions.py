"""Writes of the core app."""

from django.db import transaction
from django.utils import timezone

from .models import ApiToken, Membership, Notification, Unit


@transaction.atomic
def do_create_unit(*, name, kind, parent=None, slug, region=None, name_en="", short_name="", sort_order=0):
    unit = Unit.objects.create(
        name=name,
        kind=kind,
        parent=parent,
        slug=slug,
        region=region,
        name_en=name_en,
        short_name=short_name,
        sort_order=sort_order,
    )
    unit.path = f"{parent.path if parent else '/'}{unit.pk}/"
    unit.save(update_fields=["path"])
    return unit


@transaction.atomic
def do_move_unit(unit, new_parent):
    """Re-parent a unit and rewrite the paths of its whole subtree."""
    old_path = unit.path
    new_path = f"{new_parent.path}{unit.pk}/"
    if new_path.startswith(old_path):
        raise ValueError("A unit cannot be moved under itself.")
    unit.parent = new_parent
    unit.save(update_fields=["parent"])
    for descendant in Unit.objects.select_for_update().filter(path__startswith=old_path):
        descendant.path = new_path + descendant.path[len(old_path) :]
        descendant.save(update_fields=["path"])
    unit.refresh_from_db(fields=["path"])
    return unit


def do_set_membership(*, user, unit, role, title=""):
    membership, _ = Membership.objects.update_or_create(user=user, unit=unit, defaults={"role": role, "title": title})
    return membership


def do_create_api_token(*, user, name):
    """Returns (token, key); the key is shown once and only its hash is kept."""
    key = ApiToken.new_key()
    token = ApiToken.objects.create(user=user, name=name, key_hash=ApiToken.hash_key(key), prefix=key[:8])
    return token, key


def do_mark_read(*, user, notification_ids=None):
    items = Notification.objects.filter(recipient=user, read_at__isnull=True)
    if notification_ids is not None:
        items = items.filter(id__in=notification_ids)
    return items.update(read_at=timezone.now())
