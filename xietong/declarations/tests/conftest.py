"""Declarations fixtures: the 太原 and 晋中 prevention offices, receiving units, their people, and the
2022-07-27 notice of 太原市疫情防控办. Time is frozen on 2022-07-28 (the seed's date)."""

import datetime
import zoneinfo

import pytest
import time_machine

from xietong.conftest import make_user
from xietong.core.actions import do_create_unit
from xietong.core.models import Role, UnitKind
from xietong.declarations import actions
from xietong.declarations.idcard import check_character
from xietong.declarations.models import PreventionOffice, Tier

CST = zoneinfo.ZoneInfo("Asia/Shanghai")
NOW = datetime.datetime(2022, 7, 28, 10, 0, tzinfo=CST)
TODAY = NOW.date()
TAIYUAN_LIST = "天津市西青区大寺镇，湖北省武汉市江夏区，四川省内江市资中县，广西壮族自治区南宁市江南区、玉林市玉州区"


def id_number(seq=1, birth="19900307", county="140105"):
    """A valid resident ID number (GB 11643) for tests; never a real person's."""
    first17 = f"{county}{birth}{seq:03d}"
    return first17 + check_character(first17)


@pytest.fixture
def frozen():
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


@pytest.fixture
def decl_units(cluster, regions):
    from xietong.declarations.models import RuleEdition, TierRule
    from xietong.declarations.rules import seed_edition
    from xietong.regions.models import Region

    # Seeded by migration; a transactional test before this one may have flushed it.
    seed_edition(RuleEdition, TierRule)

    def unit(name, kind, parent, slug, code=None):
        return do_create_unit(
            name=name, kind=kind, parent=parent, slug=slug, region=Region.objects.get(code=code) if code else None
        )

    taiyuan, jinzhong = cluster["taiyuan"], cluster["jinzhong"]
    units = dict(cluster)
    units["ty_office"] = unit("太原市疫情防控办", UnitKind.DEPARTMENT, taiyuan, "ty-prevention")
    units["jz_office"] = unit("晋中市疫情防控办", UnitKind.DEPARTMENT, jinzhong, "jz-prevention")
    units["xiaodian"] = unit("小店区", UnitKind.DISTRICT, taiyuan, "xiaodian", "140105")
    units["wucheng"] = unit("坞城街道", UnitKind.TOWN, units["xiaodian"], "wucheng", "140105001")
    units["community"] = unit("坞城社区", UnitKind.COMMUNITY, units["wucheng"], "wucheng-community")
    units["employer"] = unit("晋阳智造科技有限公司", UnitKind.ENTERPRISE, units["xiaodian"], "jinyang-tech")
    units["hotel"] = unit("汾河湾酒店", UnitKind.HOTEL, units["xiaodian"], "fenhe-hotel")
    units["yuci"] = unit("榆次区", UnitKind.DISTRICT, jinzhong, "yuci", "140702")
    units["jinlun"] = unit("锦纶街道", UnitKind.TOWN, units["yuci"], "jinlun", "140702002")
    units["jz_community"] = unit("锦纶社区", UnitKind.COMMUNITY, units["jinlun"], "jinlun-community")
    PreventionOffice.objects.create(city=taiyuan, unit=units["ty_office"])
    PreventionOffice.objects.create(city=jinzhong, unit=units["jz_office"])
    return units


@pytest.fixture
def people(decl_units):
    return {
        "ty_office": make_user("ty-prevention", decl_units["ty_office"], Role.STAFF),
        "jz_office": make_user("jz-prevention", decl_units["jz_office"], Role.STAFF),
        "community": make_user("wucheng-worker", decl_units["community"], Role.STAFF),
        "jz_community": make_user("jinlun-worker", decl_units["jz_community"], Role.STAFF),
        "employer": make_user("jinyang-hr", decl_units["employer"], Role.STAFF),
        "hotel": make_user("fenhe-desk", decl_units["hotel"], Role.STAFF),
        "city_staff": make_user("taiyuan-liaison", decl_units["taiyuan"], Role.MANAGER),
        "xinzhou": make_user("xinzhou-staff", decl_units["xinzhou"], Role.MANAGER),
        "outsider": make_user("outsider"),
    }


def publish_notice(office_user, units, text=TAIYUAN_LIST, window=datetime.date(2022, 7, 19), tier=Tier.LISTED):
    office = PreventionOffice.objects.get(unit=units["ty_office"])
    notice = actions.do_create_notice(
        actor=office_user,
        office=office,
        title="太原市疫情防控办健康提示",
        number="2022-07-27",
        window_start=window,
        areas_text=text,
        default_tier=tier,
    )
    return actions.do_publish_notice(actor=office_user, notice=notice)


@pytest.fixture
def notice(frozen, people, decl_units, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        return publish_notice(people["ty_office"], decl_units)


def declaration_data(units, *, seq=1, arrival=TODAY, stops=None, **extra):
    from xietong.regions import resolve

    stops = stops if stops is not None else [("四川省内江市资中县", "2022-07-20", "2022-07-26", "G1234")]
    data = {
        "name": "张三",
        "id_number": id_number(seq),
        "phone": f"1390351{seq:04d}",
        "arrival_date": arrival,
        "destination": resolve("太原市小店区坞城街道"),
        "address": "坞城路92号",
        "community": units["community"],
        "employer": None,
        "hotel": None,
        "symptoms": [],
        "stops": [
            {
                "region": resolve(place),
                "start": datetime.date.fromisoformat(start),
                "end": datetime.date.fromisoformat(end),
                "transport": transport,
            }
            for place, start, end, transport in stops
        ],
    }
    data.update(extra)
    return data


def submit(units, intake="taiyuan", **kwargs):
    declaration, _created = actions.do_submit_declaration(
        data=declaration_data(units, **kwargs), intake_city=units[intake]
    )
    return declaration
