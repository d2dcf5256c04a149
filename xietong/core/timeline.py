"""The whole-process history (全过程管理): an append-only log of changes per object."""

from django.contrib.contenttypes.models import ContentType

from .models import TimelineEvent


def _jsonable(value):
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    if hasattr(value, "isoformat"):
        return value.isoformat()
    if hasattr(value, "pk"):
        return str(value)
    return str(value)


def changes_between(old, new):
    """{field: [old, new]} for the fields whose values differ."""
    return {name: [_jsonable(old.get(name)), _jsonable(value)] for name, value in new.items() if old.get(name) != value}


def record(obj, verb, *, actor=None, changes=None, note="", public=False, at=None):
    event = TimelineEvent(
        content_type=ContentType.objects.get_for_model(obj, for_concrete_model=False),
        object_id=str(obj.pk),
        actor=actor if actor is not None and actor.is_authenticated else None,
        verb=verb,
        changes=changes or {},
        note=note,
        public=public,
    )
    if at is not None:
        event.at = at
    event.save()
    return event


def history(obj, *, public_only=False):
    events = TimelineEvent.objects.filter(
        content_type=ContentType.objects.get_for_model(obj, for_concrete_model=False),
        object_id=str(obj.pk),
    ).select_related("actor")
    if public_only:
        events = events.filter(public=True)
    return events
