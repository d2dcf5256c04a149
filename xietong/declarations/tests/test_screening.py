"""Screening at submission and retroactively, measures from the rule edition, idempotent resubmission."""

import datetime

import pytest
from django.core.exceptions import ValidationError

from xietong.core.models import Notification
from xietong.declarations import actions
from xietong.declarations.models import (
    AreaStatus,
    Declaration,
    Match,
    Measure,
    MeasureKind,
    MeasureState,
    RiskArea,
    State,
    Tier,
)
from xietong.declarations.screening import affected_by_notice, rescreen

from .conftest import declaration_data, publish_notice, submit

pytestmark = pytest.mark.django_db
D = datetime.date


def test_the_seed_notice_places_its_five_areas(notice):
    areas = list(notice.areas.order_by("position"))
    assert [a.region_id for a in areas] == ["120111105", "420115", "511025", "450105", "450902"]
    assert all(a.status == AreaStatus.PLACED and a.tier == Tier.LISTED for a in areas)
    assert all(a.window_start == D(2022, 7, 19) for a in areas)


def test_a_stop_inside_a_listed_area_is_at_risk_with_the_reason(notice, decl_units):
    # 资中县's 重龙镇 lies inside the listed county.
    declaration = submit(decl_units, stops=[("四川省内江市资中县重龙镇", "2022-07-21", "2022-07-26", "G8")])
    assert declaration.state == State.AT_RISK and declaration.tier == Tier.LISTED
    match = Match.objects.get(declaration=declaration)
    assert match.area.region_id == "511025" and match.notice == notice and match.left_on == D(2022, 7, 26)
    # Listed without a tier (9th edition as seeded): tests on days 1 and 2 after leaving, 7 days monitoring.
    measures = [(m.kind, m.due, m.end) for m in declaration.measures.all()]
    assert (MeasureKind.TEST, D(2022, 7, 28), None) in measures  # day 2; day 1 (07-27) was before arrival
    assert (MeasureKind.MONITORING, D(2022, 7, 28), D(2022, 8, 2)) in measures
    assert len(measures) == 2


def test_stays_before_the_window_or_outside_the_look_back_do_not_match(notice, decl_units):
    before_window = submit(decl_units, seq=2, stops=[("四川省内江市资中县", "2022-07-10", "2022-07-18", "")])
    assert before_window.state == State.CLEAR and not before_window.tier
    on_window_start = submit(
        decl_units, seq=3, arrival=D(2022, 7, 25), stops=[("四川省内江市资中县", "2022-07-10", "2022-07-19", "")]
    )
    assert on_window_start.tier == Tier.LISTED  # "7月19日(含)以来": the 19th counts
    elsewhere = submit(decl_units, seq=4, stops=[("四川省内江市威远县", "2022-07-20", "2022-07-27", "")])
    assert elsewhere.state == State.CLEAR
    # Arriving 08-05 after leaving on 07-27: more than 7 days, outside the look-back.
    late = submit(
        decl_units, seq=5, arrival=D(2022, 8, 5), stops=[("湖北省武汉市江夏区", "2022-07-20", "2022-07-27", "")]
    )
    assert late.state == State.CLEAR


def test_the_strongest_tier_wins_and_measures_count_from_leaving(
    frozen, people, decl_units, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        publish_notice(
            people["ty_office"], decl_units, text="高风险区：天津市西青区大寺镇\n中风险区：湖北省武汉市江夏区"
        )
    declaration = submit(
        decl_units,
        stops=[
            ("湖北省武汉市江夏区", "2022-07-20", "2022-07-25", ""),
            ("天津市西青区大寺镇", "2022-07-25", "2022-07-26", ""),
        ],
    )
    assert declaration.tier == Tier.HIGH
    assert Match.objects.filter(declaration=declaration).count() == 2
    kinds = sorted((m.kind, m.due.isoformat(), m.end and m.end.isoformat()) for m in declaration.measures.all())
    # Left 07-26: quarantine days 1-7 = 07-27 … 08-02, from arrival 07-28;
    # tests on days 2, 3, 5, 7 (day 1 was before arrival).
    assert kinds == [
        ("centralized", "2022-07-28", "2022-08-02"),
        ("test", "2022-07-28", None),
        ("test", "2022-07-29", None),
        ("test", "2022-07-31", None),
        ("test", "2022-08-02", None),
    ]


def test_the_same_person_and_arrival_updates_instead_of_duplicating(notice, decl_units):
    first = submit(decl_units, stops=[("四川省内江市资中县", "2022-07-21", "2022-07-26", "")])
    second = submit(decl_units, stops=[("山西省晋中市榆次区", "2022-07-21", "2022-07-26", "")], phone="13912345678")
    assert first.pk == second.pk and Declaration.objects.count() == 1
    second.refresh_from_db()
    assert second.state == State.CLEAR and second.phone == "13912345678" and second.version == 2
    assert not Match.objects.exists()
    assert set(second.measures.values_list("state", flat=True)) == {MeasureState.CANCELLED}
    other_arrival = submit(decl_units, arrival=D(2022, 7, 27), stops=[])
    assert other_arrival.pk != first.pk


@pytest.mark.parametrize(
    "change, field",
    [
        ({"id_number": "110105194912310021"}, "id_number"),
        ({"phone": "12345"}, "phone"),
        ({"arrival_date": D(2022, 8, 30)}, "arrival_date"),
        ({"name": ""}, "name"),
        ({"community": None}, "community"),
    ],
)
def test_bad_input_is_refused_per_field_and_nothing_is_stored(frozen, decl_units, change, field):
    with pytest.raises(ValidationError) as caught:
        actions.do_submit_declaration(data=declaration_data(decl_units, **change), intake_city=decl_units["taiyuan"])
    assert field in caught.value.message_dict
    assert not Declaration.objects.exists()


def test_stops_that_end_before_they_start_or_after_arrival_are_refused(frozen, decl_units):
    for stops in (
        [("四川省内江市资中县", "2022-07-25", "2022-07-20", "")],
        [("四川省内江市资中县", "2022-07-25", "2022-07-29", "")],
    ):
        with pytest.raises(ValidationError) as caught:
            submit(decl_units, stops=stops)
        assert "stops" in caught.value.message_dict
    assert not Declaration.objects.exists()


def test_publishing_a_notice_flags_earlier_declarations_and_tells_the_community(
    frozen, people, decl_units, django_capture_on_commit_callbacks
):
    earlier = submit(decl_units, stops=[("四川省内江市资中县", "2022-07-20", "2022-07-26", "")])
    assert earlier.state == State.CLEAR
    with django_capture_on_commit_callbacks(execute=True):
        notice = publish_notice(people["ty_office"], decl_units)
    earlier.refresh_from_db()
    notice.refresh_from_db()
    assert earlier.state == State.AT_RISK and earlier.tier == Tier.LISTED
    assert notice.screening == "done" and notice.screening_changed == 1
    assert Notification.objects.filter(recipient=people["community"], kind="declarations.screened").count() == 1
    assert Notification.objects.filter(recipient=people["ty_office"], kind="declarations.screened").count() == 1
    assert not Notification.objects.filter(recipient=people["city_staff"]).exists()


def test_lifting_an_area_relaxes_pending_measures_and_keeps_recorded_ones(
    notice, people, decl_units, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):  # the community is told after commit
        declaration = submit(decl_units, stops=[("四川省内江市资中县", "2022-07-20", "2022-07-26", "")])
    test = declaration.measures.get(kind=MeasureKind.TEST)
    actions.do_record_measure(actor=people["community"], measure=test, result="negative")
    area = RiskArea.objects.get(notice=notice, region_id="511025")
    with django_capture_on_commit_callbacks(execute=True):
        actions.do_amend_notice(actor=people["ty_office"], notice=notice, lift_area_ids=[area.pk])
    declaration.refresh_from_db()
    assert declaration.state == State.CLEAR and declaration.tier == ""
    states = dict(declaration.measures.values_list("kind", "state"))
    assert states == {MeasureKind.TEST: MeasureState.DONE, MeasureKind.MONITORING: MeasureState.CANCELLED}
    assert Notification.objects.filter(recipient=people["community"], params__receipt=declaration.receipt).count() == 2


def test_the_sql_candidates_cover_the_exact_rule(notice, decl_units):
    """The retroactive join (SQL) finds every declaration the per-declaration rule (Python) matches."""
    places = [
        "天津市西青区",
        "天津市西青区大寺镇",
        "湖北省武汉市",
        "四川省内江市资中县重龙镇",
        "广西玉林玉州",
        "北京市朝阳区",
    ]
    for seq, place in enumerate(places * 2, start=1):
        end = "2022-07-26" if seq % 2 else "2022-07-18"
        submit(decl_units, seq=seq, stops=[(place, "2022-07-10", end, "")])
    exact = set(Match.objects.values_list("declaration_id", flat=True))
    assert exact and affected_by_notice(notice) >= exact
    assert not rescreen(affected_by_notice(notice))  # nothing changes: the two agree


def test_declaring_for_a_community_of_another_city_hands_it_over(notice, people, decl_units):
    declaration = submit(decl_units, community=decl_units["jz_community"])
    assert declaration.city == decl_units["jinzhong"] and declaration.intake_city == decl_units["taiyuan"]
    assert declaration.handover.to_city == decl_units["jinzhong"]
    assert Notification.objects.filter(recipient=people["jz_office"], kind="declarations.handover").exists()
    actions.do_receive_handover(actor=people["jz_office"], handover=declaration.handover)
    declaration.handover.refresh_from_db()
    assert declaration.handover.received_at is not None


def test_measures_to_closure_and_missed_ones_escalated(notice, people, decl_units, frozen):
    declaration = submit(decl_units)
    actions.do_acknowledge(actor=people["community"], declaration=declaration)
    test, monitoring = declaration.measures.order_by("kind")
    frozen.move_to(datetime.datetime(2022, 8, 4, 9, 0, tzinfo=datetime.UTC))
    assert actions.mark_missed(D(2022, 8, 4)) == 2
    assert actions.mark_missed(D(2022, 8, 4)) == 0  # each measure escalated once
    assert Notification.objects.filter(recipient=people["ty_office"], kind="declarations.missed").count() == 2
    for measure in (monitoring, test):
        actions.do_record_measure(actor=people["community"], measure=measure, result="negative")
    declaration.refresh_from_db()
    assert declaration.state == State.COMPLETED and declaration.completed_at


def test_only_receiving_units_record_measures(notice, people, decl_units):
    from django.core.exceptions import PermissionDenied

    declaration = submit(decl_units, employer=decl_units["employer"])
    measure = declaration.measures.first()
    for who in ("city_staff", "xinzhou", "outsider", "hotel"):
        with pytest.raises(PermissionDenied):
            actions.do_record_measure(actor=people[who], measure=measure, result="negative")
    actions.do_record_measure(actor=people["employer"], measure=measure, result="negative")
    assert Measure.objects.get(pk=measure.pk).state == MeasureState.DONE


def test_a_failed_rescreen_keeps_nothing_and_says_so(notice, people, decl_units, monkeypatch):
    from xietong.declarations import screening
    from xietong.declarations.models import Notice

    earlier = submit(decl_units, stops=[("山西省晋中市榆次区", "2022-07-20", "2022-07-26", "")])
    Notice.objects.filter(pk=notice.pk).update(version=notice.version + 1)

    def broken(*args, **kwargs):
        raise RuntimeError("database went away")

    monkeypatch.setattr(screening, "_rescreen_batch", broken)
    RiskArea.objects.create(notice=notice, text="山西省晋中市榆次区", region_id="140702", window_start=D(2022, 7, 19))
    with pytest.raises(RuntimeError):
        actions.run_rescreen(notice.pk, notice.version + 1)
    actions.record_rescreen_failure(notice.pk, "database went away")
    earlier.refresh_from_db()
    notice.refresh_from_db()
    assert earlier.state == State.CLEAR and notice.screening == "failed"
    monkeypatch.undo()
    assert actions.run_rescreen(notice.pk, notice.version) == 1
    earlier.refresh_from_db()
    assert earlier.state == State.AT_RISK
