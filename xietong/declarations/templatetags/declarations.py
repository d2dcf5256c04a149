from django import template

register = template.Library()


@register.filter
def reads_statistics(user):
    """Whether the subnavigation offers the statistics: a prevention office's staff and the coordination office."""
    from xietong.core.access import is_office

    from ..access import office_cities

    return user.is_authenticated and (user.is_superuser or is_office(user) or bool(office_cities(user)))
