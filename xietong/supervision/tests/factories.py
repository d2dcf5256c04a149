"""Small builders for supervision tests (real actions, real database)."""

import datetime
import itertools

from xietong.supervision.actions import do_create_matter
from xietong.supervision.models import Domain, SubArea

_codes = itertools.count(1)


def make_matter(
    actor,
    lead_unit,
    *,
    co_units=(),
    start=datetime.date(2022, 8, 1),
    due=datetime.date(2022, 12, 31),
    assign=True,
    **extra,
):
    defaults = {
        "title": "太忻大道建设",
        "domain": Domain.INFRASTRUCTURE,
        "sub_area": SubArea.TRANSPORT,
        "reporting_frequency": "monthly",
    }
    defaults.update(extra)
    return do_create_matter(
        actor=actor,
        code=f"T-{next(_codes):05d}",
        lead_unit=lead_unit,
        co_units=co_units,
        start_date=start,
        due_date=due,
        assign=assign,
        **defaults,
    )
