"""Who is told what: the receiving units and the prevention offices. Messages carry the receipt code,
never a name, ID number or phone; they are stored as keys and read in each reader's language."""

import functools
from collections import defaultdict

from django.urls import reverse
from django.utils.translation import gettext_noop

from xietong.core.models import Unit
from xietong.core.notify import notify, notify_bulk, recipient_ids_by_unit, recipients, translatable, unit_name

from .models import MeasureKind, PreventionOffice, Tier
from .screening import relaxed

NO_RISK = gettext_noop("no risk")


@functools.cache
def _tier(tier):
    # The same few parameters for thousands of messages of a re-screen: made once each.
    return translatable(Tier(tier).label if tier else NO_RISK)


@functools.cache
def _declaration_url_pattern():
    return reverse("declarations:declaration", args=[0])


def declaration_url(pk):
    # The same as reverse("declarations:declaration", args=[pk]), without resolving the pattern per row.
    return _declaration_url_pattern().replace("/0/", f"/{int(pk)}/")


def screening_news(changes):
    """What the receiving units hear of screening Changes whose tier changed, as plain data a task can carry:
    [declaration id, receipt, [community, employer, hotel, receiving city], old tier, new tier]."""
    return [
        [
            c.declaration.pk,
            c.declaration.receipt,
            [c.declaration.community_id, c.declaration.employer_id, c.declaration.hotel_id, c.declaration.city_id],
            c.old_tier,
            c.new_tier,
        ]
        for c in changes
        if c.tier_changed
    ]


def receiving_units(news, reason, key=None):
    """Tell each receiving unit (and the receiving city's office) what screening changed, once per declaration.

    With a `key`, telling the same news again under the same key tells nobody twice.
    """
    if not news:
        return
    offices = dict(PreventionOffice.objects.values_list("city_id", "unit_id"))
    by_unit = defaultdict(list)
    for item in news:
        community, employer, hotel, city = item[2]
        for unit_id in {community, employer, hotel, offices.get(city)} - {None}:
            by_unit[unit_id].append(item)
    # A re-screen may change thousands of declarations at once: one multi-row insert, not one per message.
    people_of = recipient_ids_by_unit(by_unit)
    rows, told = [], set()
    for unit_id, unit_news in by_unit.items():
        for pk, receipt, _units, old_tier, new_tier in unit_news:
            if new_tier and not old_tier:
                message = gettext_noop("Declaration %(receipt)s is at risk: %(tier)s")
            elif relaxed(old_tier, new_tier):
                message = gettext_noop("Declaration %(receipt)s relaxed: now %(tier)s")
            else:
                message = gettext_noop("Declaration %(receipt)s changed: now %(tier)s")
            params = {"receipt": receipt, "tier": _tier(new_tier)}
            url = declaration_url(pk)
            for person in sorted(people_of[unit_id]):
                # Someone in two of the receiving units hears of a declaration once.
                if (person, pk) not in told:
                    told.add((person, pk))
                    dedupe = f"declarations.screened:{key}:{pk}" if key else None
                    rows.append((person, "declarations.screened", message, params, url, dedupe))
    notify_bulk(rows)


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
