"""The 汾河 through three cities of the shared `cluster` fixture, with a boundary section 太原 → 晋中."""

import datetime as dt

import pytest

from xietong.conftest import make_user
from xietong.core.models import Role
from xietong.water.ingest import csv_rows
from xietong.water.models import CompensationAgreement, River, RuleSet, Section, SectionKind, SectionTarget, Source
from xietong.water.rules import seed

HEADER = "section,sampled_at,ph,do,codmn,cod,bod5,nh3n,tp,tn"


@pytest.fixture
def fenhe(cluster):
    seed(RuleSet)
    river = River.objects.create(code="fenhe", name="汾河", name_en="Fen River", basin="黄河流域")

    def make(code, name, city, kind, upstream=None, downstream=None, target="III"):
        section = Section.objects.create(
            code=code,
            name=name,
            river=river,
            kind=kind,
            city=cluster[city],
            upstream_city=cluster[upstream] if upstream else None,
            downstream_city=cluster[downstream] if downstream else None,
            latitude="37.8",
            longitude="112.5",
        )
        for year in (2022, 2026):
            SectionTarget.objects.create(section=section, year=year, grade=target)
        return section

    return {
        "river": river,
        "XZ": make("FH01", "汾河水库出口", "xinzhou", SectionKind.NATIONAL, target="II"),
        "TY": make("FH02", "上兰", "taiyuan", SectionKind.PROVINCIAL),
        "BOUNDARY": make("FH03", "温南社", "taiyuan", SectionKind.BOUNDARY, "taiyuan", "jinzhong", target="IV"),
    }


@pytest.fixture
def agreement(fenhe, cluster):
    return CompensationAgreement.objects.create(
        code="ty-jz-fenhe",
        title="太原市—晋中市汾河流域横向生态补偿协议（示意）",
        section=fenhe["BOUNDARY"],
        upstream_city=cluster["taiyuan"],
        downstream_city=cluster["jinzhong"],
        effective_from=dt.date(2026, 1, 1),
        compliance_amount="100.00",
        exceedance_amount="150.00",
        illustrative=True,
    )


@pytest.fixture
def jinzhong_staff(cluster):
    return make_user("jinzhong-staff", cluster["jinzhong"], Role.STAFF)


def csv_text(*rows, header=HEADER):
    return "\n".join([header, *(",".join(str(v) for v in row) for row in rows)]) + "\n"


def rows_of(*rows, header=HEADER):
    return csv_rows(csv_text(*rows, header=header))


CSV = Source.CSV
