from django import template

register = template.Library()


@register.filter
def opens_for(matter, user):
    """Whether to link a matter for this reader: only when the matter page will open for them.

    Pages shared across the cluster (water misses, for one) name matters that only some readers may
    open; the others see the code without a link (see access.opens_for_lead; no query per row).
    """
    from ..access import opens_for_lead

    return opens_for_lead(user, matter)
