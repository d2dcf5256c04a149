"""Placing the entries of a published risk-area list (see `actions.read_list`).

An entry is placed when the resolver reads it whole, or when a division at county level or below
begins it and the rest names a place inside (a community, a street address), which is kept as
text. Anything else goes to review with its candidates; an entry is never placed by a guess, and
never in a county its text does not name.
"""

import re

from django.utils.translation import gettext as _

from xietong.regions.models import Level
from xietong.regions.resolver import (
    AmbiguousPlace,
    PlaceError,
    UnknownPlace,
    get_index,
    resolve,
    resolve_prefix,
    variants,
)

# Entries on one line are separated by these; a comma inside brackets belongs to the entry.
SEPARATORS = re.compile(r"[、；;，,]\s*(?![^（(]*[）)])")


def split_entries(line):
    return [part.strip().strip("。.") for part in SEPARATORS.split(line) if part.strip().strip("。.")]


def place(text, context=None):
    """(region, named place below it) for a list entry; raises AmbiguousPlace or UnknownPlace.

    `context` is the region of the entry before it: "广西壮族自治区南宁市江南区、玉林市玉州区" writes the
    province once, so an entry that cannot be placed alone is tried again inside that province.
    """
    try:
        return _place(text)
    except PlaceError as error:
        if context is None:
            raise
        province = get_index().nodes[context.code[:2]].full_name
        if str(text).startswith(province):
            raise
        try:
            region, rest = _place(province + str(text))
        except PlaceError:
            raise error from None
        return region, rest


def _place(text):
    try:
        return resolve(text), ""
    except UnknownPlace:
        pass
    readings = {}
    coarse = {}
    for candidate in [text, *variants(text)]:
        try:
            region, rest = resolve_prefix(candidate)
        except UnknownPlace:
            continue
        except AmbiguousPlace as error:
            for region in error.candidates:
                coarse[region.code] = region
            continue
        if not rest or region.level >= Level.COUNTY and _names_a_place(rest):
            readings.setdefault(region.code, (region, rest))
        else:
            coarse[region.code] = region
    if len(readings) == 1:
        return next(iter(readings.values()))
    candidates = list(readings) or list(coarse)
    if candidates:
        index = get_index()
        raise AmbiguousPlace(
            _("“%(text)s” could not be placed for sure; candidates: %(candidates)s.")
            % {"text": text, "candidates": "、".join(index.nodes[c].full_name for c in candidates)},
            text,
            [index.region(c) for c in candidates],
        )
    raise UnknownPlace(_("“%(text)s” names no division that could be found.") % {"text": text}, text)


def _names_a_place(rest):
    """A remainder that is a place, not the leftover of a name read wrongly ("）乡", "区")."""
    stripped = rest.strip("（）() ")
    return len(stripped) >= 2 and not re.match(r"^[）)]", rest)
