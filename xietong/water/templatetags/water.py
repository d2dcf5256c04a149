from django import template

from ..models import PARAMETER_LABELS

register = template.Library()


@register.filter
def parameter_label(key):
    return PARAMETER_LABELS.get(key, key)


@register.filter
def multiple(value):
    """An exceedance multiple as the monthly reports print it (two decimals)."""
    return "" if value is None else f"{value:.2f}"


@register.filter
def measured(value):
    if value is None:
        return "—"
    return f"{value:.4g}" if abs(value) < 0.01 else f"{value:.3g}" if abs(value) < 100 else f"{value:.0f}"
