"""The whole-process history of a declaration or a notice, in the reader's language.

The timeline stores a verb and the changed values; this turns them into the words an office uses, with
the detail that makes an entry useful (which tier, which measure and result, which notice caused a
re-screen).
"""

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext, pgettext_lazy

from xietong.core import timeline

from .models import MeasureKind, MeasureState, Notice, Result, Tier

VERBS = {
    # a declaration
    "submitted": gettext_lazy("Declared"),
    "resubmitted": gettext_lazy("Declared again (updated)"),
    "screened": gettext_lazy("Screened"),
    "handed_over": gettext_lazy("Handed over to the receiving city's prevention office"),
    "handover_received": gettext_lazy("Hand-over received"),
    "acknowledged": gettext_lazy("Taken on by a receiving unit"),
    "measure_recorded": gettext_lazy("Measure recorded"),
    "measure_missed": gettext_lazy("Measure missed and escalated"),
    "completed": pgettext_lazy("declaration history", "Completed"),
    # a notice
    "created": gettext_lazy("Drafted"),
    "published": gettext_lazy("Published"),
    "amended": gettext_lazy("Amended"),
    "lifted": gettext_lazy("Lifted"),
    "area_placed": gettext_lazy("Entry placed by hand"),
    "rescreened": gettext_lazy("Stored declarations re-screened"),
}


def _label(choices, value):
    if not value:
        return _("no risk") if choices is Tier else ""
    try:
        return str(choices(value).label)
    except ValueError:
        return str(value)


def events(obj):
    """[{"at", "actor", "label", "detail"}] of the object's timeline, oldest first, in a fixed number of queries."""
    rows = list(timeline.history(obj).order_by("at", "pk"))
    notice_ids = {int(e.note.split(":", 1)[1]) for e in rows if e.note.startswith("notice:") and e.note[7:].isdigit()}
    notices = {n.pk: n for n in Notice.objects.filter(pk__in=notice_ids)} if notice_ids else {}
    return [
        {"at": e.at, "actor": e.actor, "label": VERBS.get(e.verb, e.verb), "detail": _detail(e, notices)} for e in rows
    ]


def _detail(event, notices):
    changes = event.changes or {}
    if event.verb == "screened":
        old, new = changes.get("tier", ["", ""])
        text = _("%(old)s → %(new)s") % {"old": _label(Tier, old), "new": _label(Tier, new)}
        if event.note == "submission":
            return _("%(change)s, at submission") % {"change": text}
        notice = notices.get(int(event.note[7:])) if event.note[7:].isdigit() else None
        if notice is not None:
            return _("%(change)s, after the notice “%(notice)s” changed") % {"change": text, "notice": notice.title}
        return text
    if event.verb in ("measure_recorded", "measure_missed"):
        kind = _label(MeasureKind, changes.get("kind", [None, ""])[1])
        result = _label(Result, changes.get("result", [None, ""])[1])
        state = _label(MeasureState, changes.get("measure", [None, ""])[1])
        return " · ".join(part for part in (kind, result or state) if part)
    if event.verb == "amended":
        lifted, tiers, added = (changes.get(key, [None, 0])[1] or 0 for key in ("lifted", "tiers", "added"))
        return _("%(added)d added, %(tiers)d tiers set, %(lifted)d lifted") % {
            "added": added,
            "tiers": tiers,
            "lifted": lifted,
        }
    if event.verb == "rescreened":
        count = changes.get("declarations", [None, 0])[1] or 0
        return ngettext("%(n)s declaration changed", "%(n)s declarations changed", count) % {"n": count}
    return ""
