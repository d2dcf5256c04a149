"""Monthly classes, a boundary miss that becomes the upstream city's matter, escalation, statements, joint sampling."""

import datetime as dt
from decimal import Decimal

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError

from xietong.core import timeline, workqueue
from xietong.supervision.models import CoUnit, Matter, Priority, Source, State
from xietong.water import actions, assess
from xietong.water.models import BoundaryMiss, MonthlyResult, Statement

from .conftest import CSV, rows_of

JULY, AUGUST = dt.date(2026, 7, 1), dt.date(2026, 8, 1)
# class III on every item but ammonia at 2.5 (劣V, 0.67 times over class IV's 1.5)
BAD = (7.6, 5.5, 5.0, 18, 3.5, 2.5, 0.18, 3.0)
GOOD = (7.6, 6.5, 3.8, 14, 2.8, 0.4, 0.08, 2.0)


def upload(actor, *rows):
    return actions.do_ingest_samples(actor=actor, rows=rows_of(*rows), source=CSV)


def keys(user, today=dt.date(2026, 8, 10)):
    return {kind.key: bucket for kind, bucket in workqueue.queue_for(user, today=today)}


def test_a_month_is_graded_on_the_mean_of_its_samples(fenhe, office_user):
    upload(
        office_user,
        ("FH02", "2026-07-01 00:00", 7.4, 6.0, 4.0, 15, 3, 0.8, "<0.02", 2),
        ("FH02", "2026-07-01 04:00", 7.6, 6.4, 5.0, 17, 3, 1.3, 0.1, 2),
        ("FH02", "2026-07-01 08:00", 7.8, 5.0, 6.0, 19, 3, "ND", 0.2, "-1"),
    )
    result = MonthlyResult.objects.get(section=fenhe["TY"], month=JULY)
    assert result.samples == 3
    # ammonia: ND without a limit is left out, mean of 0.8 and 1.3; TP: <0.02 counts as 0.01
    assert result.means["nh3n"] == pytest.approx(1.05)
    assert result.means["tp"] == pytest.approx((0.01 + 0.1 + 0.2) / 3)
    assert result.means["tn"] == pytest.approx(2.0)  # the negative value is left out
    assert result.grade == "IV" and result.worst == ["nh3n"]
    assert result.target == "III" and result.met is False
    assert result.exceeding == {"nh3n": pytest.approx(0.05)}
    assert result.pollutants == [["nh3n", pytest.approx(0.05)]]


@time_machine.travel(dt.datetime(2026, 8, 10, 9, tzinfo=dt.UTC), tick=False)
def test_a_boundary_miss_becomes_the_upstream_citys_matter(fenhe, office_user, member, jinzhong_staff):
    upload(office_user, ("FH03", "2026-07-10 10:00", *BAD))
    miss = BoundaryMiss.objects.get()
    matter = miss.matter
    assert (miss.section, miss.month, miss.run, miss.escalated) == (fenhe["BOUNDARY"], JULY, 1, False)
    assert matter.lead_unit.slug == "taiyuan"
    assert list(CoUnit.objects.filter(matter=matter).values_list("unit__slug", flat=True)) == ["jinzhong"]
    assert matter.state == State.ASSIGNED and matter.source == Source.MONITORING
    assert matter.source_object == miss
    assert matter.due_date == dt.date(2026, 9, 7)  # 20 working days by the rules in force
    assert "0.67" in matter.description and "氨氮" in matter.description or "Ammonia" in matter.description
    # The upstream city's staff answer for it; the downstream city is informed, not asked.
    assert keys(member)["water.sections_to_answer"].items[0].url == matter.get_absolute_url()
    assert "water.sections_to_answer" not in keys(jinzhong_staff)
    assert jinzhong_staff.notifications.filter(kind="water.miss").exists()


@time_machine.travel(dt.datetime(2026, 9, 10, 9, tzinfo=dt.UTC), tick=False)
def test_a_second_month_in_a_row_escalates_to_the_office(fenhe, office_user, member):
    upload(office_user, ("FH03", "2026-07-10 10:00", *BAD))
    upload(office_user, ("FH03", "2026-08-10 10:00", *BAD))
    july, august = BoundaryMiss.objects.order_by("month")
    assert august.run == 2 and august.escalated and not july.escalated
    assert august.matter == july.matter and Matter.objects.count() == 1
    assert august.matter.priority == Priority.CRITICAL
    assert keys(office_user)["water.escalated"].count == 1
    # one matter, one row in the city's queue
    assert keys(member)["water.sections_to_answer"].count == 1


def test_a_miss_cleared_before_it_was_referred_is_not_referred(fenhe, member, office_user):
    upload(member, ("FH03", "2026-07-10 10:00", *BAD))
    upload(member, ("FH03", "2026-07-10 10:00", *GOOD))
    miss = BoundaryMiss.objects.get()
    assert miss.cleared_at is not None and "water.misses_to_refer" not in keys(office_user)
    with pytest.raises(ValidationError):
        actions.do_refer_miss(actor=office_user, miss=miss)
    assert not Matter.objects.exists()


def test_a_city_upload_leaves_the_miss_for_the_office_to_refer(fenhe, member, office_user):
    upload(member, ("FH03", "2026-07-10 10:00", *BAD))
    miss = BoundaryMiss.objects.get()
    assert miss.matter is None
    assert keys(office_user)["water.misses_to_refer"].count == 1
    with pytest.raises(PermissionDenied):
        actions.do_refer_miss(actor=member, miss=miss)
    actions.do_refer_miss(actor=office_user, miss=miss)
    assert BoundaryMiss.objects.get().matter.lead_unit.slug == "taiyuan"
    assert "water.misses_to_refer" not in keys(office_user)


def test_sections_inside_one_city_and_met_targets_make_no_matter(fenhe, office_user):
    upload(office_user, ("FH02", "2026-07-10 10:00", *BAD), ("FH03", "2026-07-10 10:00", *GOOD))
    assert MonthlyResult.objects.get(section=fenhe["TY"], month=JULY).met is False
    assert MonthlyResult.objects.get(section=fenhe["BOUNDARY"], month=JULY).met is True
    assert not BoundaryMiss.objects.exists() and not Matter.objects.exists()


def test_the_statement_follows_the_agreement_and_names_its_samples(agreement, office_user, member, jinzhong_staff):
    result = upload(office_user, ("FH03", "2026-07-10 10:00", *GOOD), ("FH03", "2026-08-10 10:00", *BAD))
    july, august = Statement.objects.order_by("month")
    assert (july.met, july.payer.slug, july.payee.slug, july.amount) == (True, "jinzhong", "taiyuan", Decimal("100"))
    assert (august.met, august.payer.slug, august.payee.slug, august.amount) == (
        False,
        "taiyuan",
        "jinzhong",
        Decimal("150"),
    )
    assert len(july.sample_ids) == 1 and result.created == 2
    assert keys(member)["water.statements_to_confirm"].count == 2
    actions.do_confirm_statement(actor=member, statement=july)
    actions.do_confirm_statement(actor=jinzhong_staff, statement=july)
    assert Statement.objects.get(pk=july.pk).confirmed
    with pytest.raises(ValidationError):
        actions.do_confirm_statement(actor=member, statement=july)
    # corrected data changes the figures and undoes the confirmations
    upload(office_user, ("FH03", "2026-07-10 10:00", *BAD))
    july = Statement.objects.get(pk=july.pk)
    assert july.amount == Decimal("150") and not july.confirmed and july.upstream_confirmed_at is None


def test_no_statement_outside_the_agreements_dates(agreement, office_user):
    upload(office_user, ("FH03", "2022-07-10 10:00", *GOOD))
    assert not Statement.objects.exists()


def test_an_outsider_cannot_confirm(agreement, office_user, other_city_user):
    upload(office_user, ("FH03", "2026-07-10 10:00", *GOOD))
    with pytest.raises(PermissionDenied):
        actions.do_confirm_statement(actor=other_city_user, statement=Statement.objects.get())


def test_joint_sampling_flags_differences_beyond_tolerance(fenhe, member, jinzhong_staff, office_user):
    section, day = fenhe["BOUNDARY"], dt.date(2026, 7, 12)
    actions.do_record_joint_result(
        actor=member, section=section, sampled_on=day, side="upstream", values={"nh3n": "1.00", "tp": 0.2, "ph": 7.5}
    )
    event = actions.do_record_joint_result(
        actor=jinzhong_staff,
        section=section,
        sampled_on=day,
        side="downstream",
        values={"nh3n": "1.20", "tp": 0.21, "ph": 7.8},
    )
    # ammonia: |1.0−1.2| = 0.2 > 15 % of 1.1; TP 0.01 ≤ 0.01 floor; pH 0.3 > 0.2
    assert set(event.differences) == {"nh3n", "ph"}
    assert event.differences["nh3n"]["allowed"] == pytest.approx(0.165)
    assert keys(office_user)["water.joint_differences"].count == 1
    with pytest.raises(PermissionDenied):
        actions.do_record_joint_result(
            actor=jinzhong_staff, section=section, sampled_on=day, side="upstream", values={"nh3n": 1}
        )
    with pytest.raises(ValidationError):
        actions.do_record_joint_result(
            actor=member, section=section, sampled_on=day, side="upstream", values={"nh3n": -1}
        )
    actions.do_review_joint_sampling(actor=office_user, event=event, note="复测确认，差异源于采样时间间隔。")
    assert "water.joint_differences" not in keys(office_user)


def test_river_summary_counts_shares_and_main_pollutants(fenhe, office_user):
    upload(
        office_user,
        ("FH01", "2026-07-10 10:00", *GOOD),
        ("FH02", "2026-07-10 10:00", *BAD),
        ("FH03", "2026-07-10 10:00", *GOOD),
    )
    results = list(MonthlyResult.objects.filter(month=JULY))
    summary = assess.summary(results)
    assert summary["sections"] == 3
    assert summary["good_share"] == pytest.approx(2 / 3) and summary["worst_share"] == pytest.approx(1 / 3)
    assert summary["pollutants"] == [("nh3n", pytest.approx(1 / 3))]
    assert summary["quality"] is None  # fewer than five sections: no river quality word


@pytest.mark.parametrize(
    ("good", "worst", "word"),
    [(0.9, 0, "优"), (0.75, 0.1, "良"), (0.7, 0.19, "轻度污染"), (0.7, 0.2, "中度污染"), (0.59, 0.4, "重度污染")],
)
def test_river_quality_words(good, worst, word):
    assert assess.river_quality(good, worst) == word


def test_the_year_recompute_costs_a_fixed_number_of_queries(fenhe, office_user):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from xietong.water.models import Section

    upload(office_user, ("FH02", "2026-07-10 10:00", *BAD), ("FH03", "2026-03-10 10:00", *GOOD))
    with CaptureQueriesContext(connection) as small:
        assert len(assess.recompute_year(2026)) == 36
    for n in range(4):
        Section.objects.create(
            code=f"X{n}",
            name=f"X{n}",
            river=fenhe["river"],
            kind="provincial",
            city=fenhe["TY"].city,
            latitude="37.8",
            longitude="112.5",
        )
        upload(office_user, (f"X{n}", "2026-05-10 10:00", *GOOD), (f"X{n}", "2026-06-10 10:00", *BAD))
    with CaptureQueriesContext(connection) as large:
        assert len(assess.recompute_year(2026)) == 84
    # Not per section: only the upsert splits into batches (SQLite caps the parameters of one statement).
    assert len(small) <= 6 and len(large) <= len(small) + 1


def test_the_recompute_command_refers_misses_only_as_an_office_person(fenhe, member, office_user):
    import io

    from django.core.management import call_command

    upload(member, ("FH03", "2026-07-10 10:00", *BAD))
    out = io.StringIO()
    call_command("recompute_water", "2026", stdout=out)
    assert "36 section-months recomputed, 1 with a class" in out.getvalue()
    assert BoundaryMiss.objects.get().matter is None
    call_command("recompute_water", "2026", "--as", "office-supervisor", stdout=io.StringIO())
    # the month is recorded once, and now referred
    assert BoundaryMiss.objects.count() == 1 and BoundaryMiss.objects.get().matter.lead_unit.slug == "taiyuan"


@time_machine.travel(dt.datetime(2026, 9, 14, 9, tzinfo=dt.UTC), tick=False)
def test_the_answer_period_counts_working_days_across_the_october_holidays(fenhe, office_user):
    """20 working days from Monday 2026-09-14: the Mid-Autumn Friday (25 Sep) and 1–7 Oct are off,
    Sunday 20 Sep and Saturday 10 Oct are worked (调休), so the answer is due on Friday 16 Oct;
    30 calendar days would have given 14 Oct, in the middle of the catch-up week."""
    upload(office_user, ("FH03", "2026-08-10 10:00", *BAD))
    assert BoundaryMiss.objects.get().matter.due_date == dt.date(2026, 10, 16)


@time_machine.travel(dt.datetime(2026, 8, 10, 9, tzinfo=dt.UTC), tick=False)
def test_corrected_data_clear_a_miss_and_the_office_decides_on_the_city_s_matter(
    fenhe, office_user, member, jinzhong_staff
):
    upload(office_user, ("FH03", "2026-07-10 10:00", *BAD))
    matter = BoundaryMiss.objects.get().matter
    # The city re-sends the month's sample: the month meets its target after all.
    upload(member, ("FH03", "2026-07-10 10:00", *GOOD))
    miss = BoundaryMiss.objects.get()
    matter.refresh_from_db()
    assert miss.cleared_at is not None and MonthlyResult.objects.get(pk=miss.result_id).met is True
    # A city's own data never closes its matter: it waits for the office, and leaves the city's queue.
    assert matter.state == State.ASSIGNED
    assert keys(office_user)["water.cleared"].items[0].url == matter.get_absolute_url()
    assert "water.sections_to_answer" not in keys(member)
    (event,) = [e for e in timeline.history(matter) if e.verb == "miss_cleared"]
    assert "2026-07" in event.note and "为II类" in event.note and "达到IV类" in event.note
    assert jinzhong_staff.notifications.filter(kind="water.miss_cleared").exists()
    # A further correction that misses again makes the miss stand again, on the same open matter.
    upload(member, ("FH03", "2026-07-10 10:00", *BAD))
    miss.refresh_from_db()
    assert miss.cleared_at is None and miss.matter == matter
    assert "water.cleared" not in keys(office_user)
    assert keys(member)["water.sections_to_answer"].count == 1


@time_machine.travel(dt.datetime(2026, 8, 10, 9, tzinfo=dt.UTC), tick=False)
def test_the_office_s_correction_cancels_the_matter_with_the_reason(fenhe, office_user):
    upload(office_user, ("FH03", "2026-07-10 10:00", *BAD))
    upload(office_user, ("FH03", "2026-07-10 10:00", *GOOD))
    miss = BoundaryMiss.objects.select_related("matter").get()
    assert miss.cleared_at is not None and miss.matter.state == State.CANCELLED
    assert "water.cleared" not in keys(office_user)
    # Missing again after that: the miss stands again and becomes a new matter.
    upload(office_user, ("FH03", "2026-07-10 10:00", *BAD))
    miss.refresh_from_db()
    assert miss.cleared_at is None and miss.matter is not None and miss.matter.state == State.ASSIGNED
    assert Matter.objects.count() == 2
