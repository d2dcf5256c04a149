"""The rule editions as published; later editions are added as data (admin or a migration), not code.

Each edition lists, per tier, what an arriving person must do, counted from the day they left the
area (day 1 is the day after). The 9th edition of the national plan (新型冠状病毒肺炎防控方案（第九版）,
2022-06-28), 2.4.2 and 2.4.3: high-risk area 7 days of centralized quarantine with tests on days 1,
2, 3, 5 and 7; medium-risk area 7 days of home quarantine with tests on days 1, 4 and 7; low-risk
area two tests within three days, 24 hours apart. A notice that lists areas without a tier (the
seed's 太原 notice of 2022-07-27) asks people to report, take two tests and watch their health for
seven days.
"""

import datetime

NINTH_EDITION = {
    "number": 9,
    "name": "新型冠状病毒肺炎防控方案（第九版）",
    "effective_from": datetime.date(2022, 6, 28),
    "lookback_days": 7,
    "source": "国务院联防联控机制综合组 联防联控机制综发〔2022〕71号",
    "tiers": [
        {
            "tier": "high",
            "strength": 40,
            "quarantine": "centralized",
            "quarantine_days": 7,
            "monitoring_days": 0,
            "test_days": [1, 2, 3, 5, 7],
            "instructions": "采取7天集中隔离医学观察，在第1、2、3、5、7天各开展一次核酸检测。",
            "instructions_en": "7 days of centralized quarantine, with a nucleic acid test on days 1, 2, 3, 5 and 7.",
        },
        {
            "tier": "medium",
            "strength": 30,
            "quarantine": "home",
            "quarantine_days": 7,
            "monitoring_days": 0,
            "test_days": [1, 4, 7],
            "instructions": "采取7天居家隔离医学观察，在第1、4、7天各开展一次核酸检测。",
            "instructions_en": "7 days of home quarantine, with a nucleic acid test on days 1, 4 and 7.",
        },
        {
            "tier": "listed",
            "strength": 20,
            "quarantine": "",
            "quarantine_days": 0,
            "monitoring_days": 7,
            "test_days": [1, 2],
            "instructions": "第一时间向所在社区（村）、单位、酒店报备，完成“三天两检”，做好7天健康监测。",
            "instructions_en": (
                "Report at once to your community or village, employer or hotel, take two tests within three "
                "days and watch your health for 7 days."
            ),
        },
        {
            "tier": "low",
            "strength": 10,
            "quarantine": "",
            "quarantine_days": 0,
            "monitoring_days": 0,
            "test_days": [1, 2],
            "instructions": "3天内完成2次核酸检测，两次检测间隔24小时。",
            "instructions_en": "Two nucleic acid tests within 3 days, 24 hours apart.",
        },
    ],
}


def seed_edition(RuleEdition, TierRule, spec=NINTH_EDITION):
    """Store an edition given as a dict (idempotent); the models are passed so migrations can call it."""
    fields = {k: v for k, v in spec.items() if k != "tiers"}
    edition, _created = RuleEdition.objects.get_or_create(number=fields.pop("number"), defaults=fields)
    for tier in spec["tiers"]:
        values = dict(tier)
        TierRule.objects.get_or_create(edition=edition, tier=values.pop("tier"), defaults=values)
    return edition
