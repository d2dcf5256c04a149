"""Who is told what: the receiving units and the prevention offices. Messages carry the receipt code,
never a name, ID number or phone; they are stored as keys and read in each reader's language."""

from collections import defaultdict

from django.urls import reverse
from django.utils.translation import gettext_noop

from xietong.core.models import Unit
from xietong.core.notify import notify, recipients, translatable, unit_name

from .models import MeasureKind, PreventionOffice, Tier

NO_RISK = gettext_noop("no risk")


def _tier(tier):
    return translatable(Tier(tier).label if tier else NO_RISK)


def receiving_units(changes, reason):
    """Tell each receiving unit (and the receiving city's office) what screening changed, once per declaration."""
    changed = [c for c in changes if c.tier_changed]
    if not changed:
        return
    offices = dict(PreventionOffice.objects.values_list("city_id", "unit_id"))
    by_unit = defaultdict(list)
    for change in changed:
        declaration = change.declaration
        units = {
            declaration.community_id,
            declaration.employer_id,
            declaration.hotel_id,
            offices.get(declaration.city_id),
        }
        for unit_id in units - {None}:
            by_unit[unit_id].append(change)
    units = Unit.objects.in_bulk(list(by_unit))
    for unit_id, unit_changes in by_unit.items():
        people = recipients([units[unit_id]])
        for change in unit_changes:
            if change.new_tier and not change.old_tier:
                message = gettext_noop("Declaration %(receipt)s is at risk: %(tier)s")
            elif change.relaxed:
                message = gettext_noop("Declaration %(receipt)s relaxed: now %(tier)s")
            else:
                message = gettext_noop("Declaration %(receipt)s changed: now %(tier)s")
            notify(
                people,
                kind="declarations.screened",
                message=message,
                params={"receipt": change.declaration.receipt, "tier": _tier(change.new_tier)},
                url=reverse("declarations:declaration", args=[change.declaration.pk]),
            )


def prevention_office(city, kind, declaration):
    office = PreventionOffice.objects.filter(city=city).select_related("unit").first()
    if office is None:
        return
    if kind == "declarations.handover":
        message = gettext_noop("Declaration %(receipt)s handed over from %(city)s")
        params = {"receipt": declaration.receipt, "city": unit_name(declaration.intake_city)}
    else:
        message = gettext_noop("Positive test result for declaration %(receipt)s")
        params = {"receipt": declaration.receipt}
    notify(
        recipients([office.unit]),
        kind=kind,
        message=message,
        params=params,
        url=reverse("declarations:declaration", args=[declaration.pk]),
        dedupe_key=f"{kind}:{declaration.pk}:{declaration.version}",
    )


def missed(measures):
    """Escalate missed measures to the receiving city's prevention office and the community."""
    if not measures:
        return
    offices = dict(PreventionOffice.objects.values_list("city_id", "unit_id"))
    unit_ids = {offices.get(m.declaration.city_id) for m in measures} | {m.declaration.community_id for m in measures}
    units = Unit.objects.in_bulk([u for u in unit_ids if u])
    for measure in measures:
        declaration = measure.declaration
        targets = [units[u] for u in (offices.get(declaration.city_id), declaration.community_id) if u in units]
        notify(
            recipients(targets),
            kind="declarations.missed",
            message=gettext_noop("Missed: %(measure)s due %(due)s, declaration %(receipt)s"),
            params={
                "measure": translatable(MeasureKind(measure.kind).label),
                "due": measure.due.isoformat(),
                "receipt": declaration.receipt,
            },
            url=reverse("declarations:declaration", args=[declaration.pk]),
            dedupe_key=f"declarations.missed:{measure.pk}",
        )
