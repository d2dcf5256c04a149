"""The accountability and joint-sampling rules the platform starts with (dated data, see RuleSet).

The cluster's own assessment rules are not published; these are illustrative and marked so.
An operator adds the next set (admin) from the day it takes effect; past months keep theirs.
"""

import datetime as dt

INITIAL = [
    {
        "code": "cluster-2022",
        "name": "山西中部城市群跨界断面水质考核规则（示意）",
        "effective_from": dt.date(2022, 1, 1),
        # The upstream city answers a missed month within 20 working days (about four weeks, counted
        # on China's official calendar with its holidays and 调休); two months in a row go to the office.
        "response_working_days": 20,
        "escalate_after": 2,
        # [relative to the mean of the two results, absolute floor] per parameter; "*" for the rest.
        # Of the order of the methods' reproducibility (e.g. HJ 535 ammonia, GB 11893 phosphorus).
        "tolerances": {
            "ph": [0, 0.2],
            "do": [0.1, 0.5],
            "codmn": [0.15, 0.5],
            "cod": [0.15, 3],
            "bod5": [0.2, 0.5],
            "nh3n": [0.15, 0.05],
            "tp": [0.15, 0.01],
            "tn": [0.15, 0.1],
            "*": [0.2, 0],
        },
        "source": "示意规则：依据《山西中部城市群高质量发展规划》生态共治要求拟定，期限与容差为演示数据。",
    }
]


def seed(RuleSet):
    """Create the initial rule sets that are missing (the migration, and tests that flush the database)."""
    for spec in INITIAL:
        RuleSet.objects.get_or_create(code=spec["code"], defaults={k: v for k, v in spec.items() if k != "code"})
