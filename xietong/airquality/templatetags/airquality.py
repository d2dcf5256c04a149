"""Template helpers of air quality: values as published ("NA", "/") and the residents' summary."""

from django import template
from django.utils.formats import number_format

from ..models import FIELD_POLLUTANT
from ..standards import NA, NOT_MONITORED

register = template.Library()


@register.filter
def aq_shown(row, field):
    """A daily field (concentration or sub-index) as published: a number, "/" or "NA" (HJ 633-2026 5.3.1).

    CO (mg/m³) keeps one decimal, every other concentration none, as the national reports print them.
    """
    value = row.shown(field)
    if value in (NA, NOT_MONITORED):
        return value
    if field.startswith("iaqi_"):
        return value
    return number_format(value, 1 if FIELD_POLLUTANT.get(field, field) == "co" else 0)


@register.inclusion_tag("airquality/includes/residents.html", takes_context=True)
def air_quality_for_residents(context):
    """Warnings in force and today's AQI per city, for the home page."""
    from ..public import city_summaries

    return {**city_summaries(), "LANGUAGE_CODE": context.get("LANGUAGE_CODE")}


@register.filter
def may_upload_readings(user):
    """Whether the subnavigation offers the upload page (see access.can_upload_any)."""
    from ..access import can_upload_any

    return can_upload_any(user)
