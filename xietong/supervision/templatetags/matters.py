from django import template

register = template.Library()


@register.filter
def opens_for(matter, user):
    """Whether to link a matter for this reader: only when the matter page will open for them.

    Pages shared across the cluster (water misses, for one) name matters that only some readers may
    open; the others see the code without a link that would answer “not found”. Decided from the
    memberships already loaded and the lead unit (select it with the matter), so a list pays no query per
    row. A co-unit's reader is not linked, which hides a link at worst and never shows a broken one.
    """
    from xietong.core.access import is_office, memberships_of

    if matter is None or not user.is_authenticated:
        return False
    if is_office(user):
        return True
    path = matter.lead_unit.path
    return any(path.startswith(m.unit.path) for m in memberships_of(user))
