"""On a 390 px phone: a resident answers a survey of the hall once; once it is closed, the results are charts."""

import pytest

from xietong.conftest import screenshot
from xietong.deliberation import actions
from xietong.deliberation.forms import parse_questions

from .test_browser import PHONE, _no_sideways_scroll, phone  # noqa: F401 - the phone fixture
from .test_surveys import QUESTIONS

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_resident_answers_a_survey_on_a_phone_and_reads_the_charts(phone, hall, town_staff):  # noqa: F811
    page = phone
    survey = actions.do_create_survey(
        actor=town_staff,
        hall=hall,
        title="主街门头改造意见调查",
        intro="请沿街店主和居民花一分钟填写。",
        questions=parse_questions(QUESTIONS),
    )
    actions.do_open_survey(actor=town_staff, survey=survey)
    single, multiple, _written = survey.questions.all()
    for i, style in enumerate([0, 0, 1]):
        actions.do_answer_survey(survey=survey, answers={single.pk: style, multiple.pk: [1]}, device=f"d{i}")

    page.goto(f"{page.base_url}/deliberation/s/{survey.pk}/")
    # Sent without the required answer: the page says which question and keeps what was ticked.
    page.check(f"input[name=q{multiple.pk}][value='2']")
    page.click("button[type=submit].primary")
    assert "请回答此题" in page.inner_text(f"#question-{single.pk}")
    assert page.is_checked(f"input[name=q{multiple.pk}][value='2']")
    page.check(f"input[name=q{single.pk}][value='0']")
    page.fill("textarea", "希望政府补贴一部分")
    _no_sideways_scroll(page)
    screenshot(page, "deliberation-phone-7-survey")
    page.click("button[type=submit].primary")
    page.wait_for_selector("#answered")
    assert "谢谢" in page.inner_text("main")
    survey.refresh_from_db()
    assert survey.response_count == 4

    actions.do_close_survey(actor=town_staff, survey=survey)
    page.goto(f"{page.base_url}/deliberation/s/{survey.pk}/results/")
    page.wait_for_selector(f"#chart-q{single.pk} canvas")
    assert page.locator(".survey-chart canvas").count() == 2
    assert "共4人参与" in page.inner_text("main") and "希望政府补贴" not in page.content()
    _no_sideways_scroll(page)
    screenshot(page, "deliberation-phone-8-survey-results")
