"""The demo cluster: the units of the seed and one fictional account per role.

People here are roles, not the officials named in the newspaper. Every loader is
idempotent: running `loaddemo` twice changes nothing the second time.
"""

from django.contrib.auth import get_user_model

from xietong.regions.models import Region

from .actions import do_create_unit, do_set_membership
from .models import Role, Unit, UnitKind

DEMO_PASSWORD = "xietong-demo"

CITIES = [
    # slug, name, English name, division code
    ("taiyuan", "太原市人民政府", "Taiyuan Municipal Government", "1401"),
    ("xinzhou", "忻州市人民政府", "Xinzhou Municipal Government", "1409"),
    ("lvliang", "吕梁市人民政府", "Lüliang Municipal Government", "1411"),
    ("jinzhong", "晋中市人民政府", "Jinzhong Municipal Government", "1407"),
    ("yangquan", "阳泉市人民政府", "Yangquan Municipal Government", "1403"),
]

# slug, parent slug, kind, name, English name, division code
UNITS = [
    (
        "taiyuan-prevention",
        "taiyuan",
        UnitKind.DEPARTMENT,
        "太原市疫情防控办",
        "Taiyuan Epidemic Prevention Office",
        "",
    ),
    ("gujiao", "taiyuan", UnitKind.DISTRICT, "古交市", "Gujiao City", "140181"),
    ("hekou", "gujiao", UnitKind.TOWN, "河口镇", "Hekou Town", "140181100"),
    (
        "hekou-service-center",
        "hekou",
        UnitKind.DEPARTMENT,
        "河口镇党群服务中心",
        "Hekou Party-Masses Service Centre",
        "",
    ),
    ("hekou-sanitation", "hekou", UnitKind.DEPARTMENT, "河口镇环卫所", "Hekou Sanitation Station", ""),
    ("hekou-community", "hekou", UnitKind.COMMUNITY, "河口社区", "Hekou Community", ""),
    ("hekou-village", "hekou", UnitKind.COMMUNITY, "河口村", "Hekou Village", ""),
    ("xiaodian", "taiyuan", UnitKind.DISTRICT, "小店区", "Xiaodian District", "140105"),
    ("wucheng", "xiaodian", UnitKind.TOWN, "坞城街道", "Wucheng Subdistrict", "140105001"),
    ("wucheng-community", "wucheng", UnitKind.COMMUNITY, "坞城社区", "Wucheng Community", ""),
    ("jinyang-tech", "xiaodian", UnitKind.ENTERPRISE, "晋阳智造科技有限公司", "Jinyang Smart Manufacturing Co.", ""),
    ("fenhe-hotel", "xiaodian", UnitKind.HOTEL, "汾河湾酒店", "Fenhe Bay Hotel", ""),
    ("yuci", "jinzhong", UnitKind.DISTRICT, "榆次区", "Yuci District", "140702"),
    (
        "cluster-transport-taskforce",
        "office",
        UnitKind.TASK_FORCE,
        "交通互联互通工作专班",
        "Transport Connectivity Task Force",
        "",
    ),
]

# username, unit slug, role, full name, job title
ACCOUNTS = [
    ("office", "office", Role.MANAGER, "周督办", "督办专员"),
    ("office-clerk", "office", Role.STAFF, "王协调", "综合协调处干部"),
    ("taiyuan", "taiyuan", Role.STAFF, "太原联络员", "联络员"),
    ("xinzhou", "xinzhou", Role.STAFF, "忻州联络员", "联络员"),
    ("lvliang", "lvliang", Role.STAFF, "吕梁联络员", "联络员"),
    ("jinzhong", "jinzhong", Role.STAFF, "晋中联络员", "联络员"),
    ("yangquan", "yangquan", Role.STAFF, "阳泉联络员", "联络员"),
    ("taiyuan-manager", "taiyuan", Role.MANAGER, "太原专班负责人", "工作专班负责人"),
    ("jinzhong-manager", "jinzhong", Role.MANAGER, "晋中专班负责人", "工作专班负责人"),
    ("xinzhou-manager", "xinzhou", Role.MANAGER, "忻州专班负责人", "工作专班负责人"),
    ("lvliang-manager", "lvliang", Role.MANAGER, "吕梁专班负责人", "工作专班负责人"),
    ("yangquan-manager", "yangquan", Role.MANAGER, "阳泉专班负责人", "工作专班负责人"),
    ("hekou", "hekou", Role.STAFF, "河口镇干事", "镇政府工作人员"),
    ("hekou-manager", "hekou", Role.MANAGER, "河口镇议事厅主任", "党群议事厅负责人"),
    ("community", "hekou-community", Role.STAFF, "社区网格员", "社区工作者"),
    ("prevention", "taiyuan-prevention", Role.STAFF, "防控办值班员", "值班员"),
]


def _unit(slug, parent, kind, name, name_en, code, order):
    existing = Unit.objects.filter(slug=slug).first()
    if existing:
        return existing
    return do_create_unit(
        name=name,
        name_en=name_en,
        kind=kind,
        parent=parent,
        slug=slug,
        sort_order=order,
        region=Region.objects.filter(code=code).first() if code else None,
    )


def load(stdout=None):
    office = _unit(
        "office",
        None,
        UnitKind.OFFICE,
        "山西中部城市群建设领导小组办公室",
        "Office of the Shanxi Central City Cluster Leading Group",
        "14",
        0,
    )
    units = {"office": office}
    for order, (slug, name, name_en, code) in enumerate(CITIES, start=1):
        units[slug] = _unit(slug, office, UnitKind.CITY, name, name_en, code, order)
    for order, (slug, parent, kind, name, name_en, code) in enumerate(UNITS, start=10):
        units[slug] = _unit(slug, units[parent], kind, name, name_en, code, order)

    User = get_user_model()
    for username, unit_slug, role, full_name, title in ACCOUNTS:
        user, created = User.objects.get_or_create(username=username, defaults={"first_name": full_name})
        if created:
            user.set_password(DEMO_PASSWORD)
            user.email = f"{username}@demo.xietong.invalid"
            user.save(update_fields=["password", "email"])
        do_set_membership(user=user, unit=units[unit_slug], role=role, title=title)
    if stdout:
        stdout.write(f"core: {Unit.objects.count()} units, {len(ACCOUNTS)} demo accounts")
    return units
