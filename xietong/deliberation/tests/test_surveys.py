"""社情民意调查: staff write a short questionnaire, residents answer it once without an account, results as charts."""

import datetime
import json

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client
from django.urls import reverse
from django.utils import timezone, translation

from xietong.conftest import client_for
from xietong.deliberation import actions
from xietong.deliberation.forms import parse_questions
from xietong.deliberation.models import Survey, SurveyAnswer, SurveyResponse

QUESTIONS = """单选：门头改造采用哪种风格？
- 统一仿古
- 现代简约
- 各店自定
多选：您的店铺需要哪些帮助？（选填）
- 设计
- 资金
- 施工
填空：您还有什么建议？（选填）
"""


@pytest.fixture(autouse=True)
def _frozen(july_2026):
    return july_2026


@pytest.fixture
def survey(hall, town_staff):
    survey = actions.do_create_survey(
        actor=town_staff, hall=hall, title="主街门头改造意见调查", questions=parse_questions(QUESTIONS)
    )
    return actions.do_open_survey(actor=town_staff, survey=survey)


def _ids(survey):
    return [q.pk for q in survey.questions.all()]


def _answer(survey, style=0, helps=(), text="", device="d1", **extra):
    single, multiple, written = _ids(survey)
    return actions.do_answer_survey(
        survey=survey, answers={single: style, multiple: list(helps), written: text}, device=device, **extra
    )


def test_the_question_layout_is_read_as_staff_write_it():
    assert parse_questions(QUESTIONS) == [
        {
            "kind": "single",
            "text": "门头改造采用哪种风格？",
            "choices": ["统一仿古", "现代简约", "各店自定"],
            "required": True,
        },
        {"kind": "multiple", "text": "您的店铺需要哪些帮助？", "choices": ["设计", "资金", "施工"], "required": False},
        {"kind": "text", "text": "您还有什么建议？", "choices": [], "required": False},
    ]
    # Without a prefix: options make a single choice, none a written answer; a colon in a question stays.
    assert [q["kind"] for q in parse_questions("时间：周几合适？\n- 周六\n- 周日\n意见")] == ["single", "text"]
    assert parse_questions("时间：周几合适？\n- 周六\n- 周日")[0]["text"] == "时间：周几合适？"


def test_rules_of_a_survey(hall, town_staff, other_city_user):
    def create(questions, actor=town_staff, title="调查"):
        return actions.do_create_survey(actor=actor, hall=hall, title=title, questions=questions)

    with pytest.raises(PermissionDenied):
        create(parse_questions(QUESTIONS), actor=other_city_user)
    with pytest.raises(ValidationError, match="at least one question"):
        create([])
    with pytest.raises(ValidationError, match="Question 1: a choice question has 2 to 12 options"):
        create(parse_questions("单选：好不好？\n- 好"))
    with pytest.raises(ValidationError, match="Question 2: two options read the same"):
        create(parse_questions("意见\n多选：哪些？\n- 甲\n- 甲"))
    with pytest.raises(ValidationError, match="title"):
        create(parse_questions(QUESTIONS), title=" ")
    assert not Survey.objects.exists()
    survey = create(parse_questions(QUESTIONS))
    assert survey.state == Survey.State.DRAFT
    with pytest.raises(ValidationError, match="not open"):
        _answer(survey)
    actions.do_open_survey(actor=town_staff, survey=survey)
    with pytest.raises(ValidationError, match="Only a draft"):
        actions.do_open_survey(actor=town_staff, survey=survey)


def test_answers_are_checked_and_stored_whole_or_not_at_all(survey):
    single, multiple, written = _ids(survey)
    cases = [
        ({multiple: ["0"]}, {f"q{single}": ["Answer this question."]}),  # the required question left out
        ({single: ["0", "1"]}, {f"q{single}": ["Choose only one option."]}),
        ({single: "7"}, {f"q{single}": ["Choose one of the options shown."]}),
        ({single: "x"}, {f"q{single}": ["Choose one of the options shown."]}),
        ({single: 0, written: "长" * 501}, {f"q{written}": ["At most 500 characters."]}),
    ]
    for answers, errors in cases:
        with pytest.raises(ValidationError) as caught:
            actions.do_answer_survey(survey=survey, answers=answers, device="d")
        assert caught.value.message_dict == errors
    assert not SurveyResponse.objects.exists() and not SurveyAnswer.objects.exists()
    response = _answer(survey, style=1, helps=["0", "2"], text="希望补贴一部分")
    assert sorted(response.answers.values_list("question_id", "choice", "text")) == [
        (single, 1, ""),
        (multiple, 0, ""),
        (multiple, 2, ""),
        (written, None, "希望补贴一部分"),
    ]


def test_one_answer_per_device_and_contact_and_a_bound_per_network(survey):
    _answer(survey, device="phone-1", contact="13912345678", source="10.0.0.1")
    with pytest.raises(ValidationError, match="already answered"):
        _answer(survey, device="phone-1")
    with pytest.raises(ValidationError, match="already answered"):  # another browser, same person
        _answer(survey, device="phone-2", contact=" 13912345678 ")
    for i in range(actions.SURVEY_LIMIT_PER_ADDRESS_HOUR - 1):
        _answer(survey, device=f"family-{i}", source="10.0.0.1")
    with pytest.raises(ValidationError, match="Too many answers"):
        _answer(survey, device="one-more", source="10.0.0.1")
    _answer(survey, device="one-more", source="10.0.0.2")
    with pytest.raises(ValidationError):  # the honeypot
        _answer(survey, device="bot", honeypot="http://spam")
    survey.refresh_from_db()
    assert survey.response_count == SurveyResponse.objects.count() == actions.SURVEY_LIMIT_PER_ADDRESS_HOUR + 1
    # The contact is kept only as a keyed hash.
    assert "13912345678" not in json.dumps(list(SurveyResponse.objects.values_list("contact_index", flat=True)))


def test_results_count_each_option_against_those_who_answered(survey, django_assert_num_queries):
    _answer(survey, style=0, helps=["0", "1"], device="a")
    _answer(survey, style=0, helps=["1"], device="b")
    _answer(survey, style=1, device="c", text="颜色别太艳")
    _answer(survey, style=0, device="d")
    with django_assert_num_queries(3):
        style, helps, written = actions.survey_results(survey)
    assert [(o["count"], o["share"]) for o in style["options"]] == [(3, 0.75), (1, 0.25), (0, 0)]
    # Only two residents ticked any help: the shares are of them, and add up to more than 100%.
    assert helps["answered"] == 2 and [o["share"] for o in helps["options"]] == [0.5, 1.0, 0]
    assert written["answered"] == 1 and written["texts"] == []
    assert actions.survey_results(survey, with_texts=True)[2]["texts"] == ["颜色别太艳"]


def test_staff_see_the_latest_written_answers_up_to_the_bound(survey):
    for n in range(4):
        _answer(survey, text=f"建议{n}", device=f"w{n}", now=timezone.now() + datetime.timedelta(minutes=n))
    _answer(survey, device="silent")
    assert actions.survey_results(survey, with_texts=True, texts_max=3)[2]["texts"] == ["建议3", "建议2", "建议1"]
    assert actions.survey_results(survey, with_texts=True)[2]["texts"] == ["建议3", "建议2", "建议1", "建议0"]


def test_a_resident_answers_on_the_public_page_once(survey):
    single, multiple, written = _ids(survey)
    client = Client(HTTP_ACCEPT_LANGUAGE="zh-hans")
    url = reverse("deliberation:survey-answer", args=[survey.pk])
    page = client.get(url).content.decode()
    assert "门头改造采用哪种风格？" in page and 'type="radio"' in page and 'type="checkbox"' in page
    response = client.post(url, {f"q{multiple}": ["1"], f"q{written}": "尽快", "website": ""}, REMOTE_ADDR="10.1.1.1")
    body = response.content.decode()
    assert response.status_code == 200 and "请回答此题" in body and 'value="1" checked' in body and "尽快" in body
    response = client.post(url, {f"q{single}": "2", f"q{multiple}": ["1"], "website": ""}, REMOTE_ADDR="10.1.1.1")
    assert response.status_code == 302
    assert 'id="answered"' in client.get(url).content.decode()
    client.post(url, {f"q{single}": "0", "website": ""}, REMOTE_ADDR="10.1.1.1")
    survey.refresh_from_db()
    assert survey.response_count == 1


def test_results_are_public_once_closed_written_answers_never(survey, town_staff):
    _answer(survey, style=0, text="王某某家门头最破", device="a")
    _answer(survey, style=1, device="b")
    url = reverse("deliberation:survey-results", args=[survey.pk])
    open_page = Client(HTTP_ACCEPT_LANGUAGE="zh-hans").get(url).content.decode()
    assert "调查结束后公布结果" in open_page and "统一仿古" not in open_page
    actions.do_close_survey(actor=town_staff, survey=survey)
    page = Client(HTTP_ACCEPT_LANGUAGE="zh-hans").get(url).content.decode()
    assert "共2人参与" in page and 'id="chart-q' in page and "survey_charts.js" in page
    assert "王某某" not in page
    data = json.loads(page.split('id="survey-results" type="application/json">')[1].split("</script>")[0])
    assert data[0]["labels"] == ["统一仿古", "现代简约", "各店自定"] and data[0]["counts"] == [1, 1, 0]
    staff = client_for(town_staff).get(reverse("deliberation:survey", args=[survey.pk])).content.decode()
    assert "王某某家门头最破" in staff
    with translation.override("en"), pytest.raises(ValidationError, match="not open"):
        _answer(survey, device="late")


def test_drafts_are_not_public_and_staff_pages_refuse_outsiders(hall, town_staff, outsider, other_city_user):
    questions = [{"kind": "text", "text": "意见"}]
    draft = actions.do_create_survey(actor=town_staff, hall=hall, title="草稿", questions=questions)
    assert Client().get(reverse("deliberation:survey-answer", args=[draft.pk])).status_code == 404
    assert Client().get(reverse("deliberation:survey-results", args=[draft.pk])).status_code == 404
    for user in (outsider, other_city_user):
        client = client_for(user)
        assert client.get(reverse("deliberation:survey", args=[draft.pk])).status_code == 404
        assert client.post(reverse("deliberation:survey", args=[draft.pk]), {"action": "open"}).status_code == 404
        assert client.get(reverse("deliberation:surveys", args=[hall.pk])).status_code == 404
    draft.refresh_from_db()
    assert draft.state == Survey.State.DRAFT


def test_staff_write_open_and_close_a_survey_through_the_pages(hall, town_staff):
    client = client_for(town_staff)
    url = reverse("deliberation:surveys", args=[hall.pk])
    response = client.post(url, {"title": "门头调查", "questions": "单选：好吗？\n- 好"}, follow=True)
    body = response.content.decode()
    assert "选择题须有2至12个选项" in body and "单选：好吗？" in body and not Survey.objects.exists()
    response = client.post(url, {"title": "门头调查", "intro": "请店主填写", "questions": QUESTIONS})
    survey = Survey.objects.get()
    assert response["Location"] == reverse("deliberation:survey", args=[survey.pk])
    client.post(response["Location"], {"action": "open"})
    survey.refresh_from_db()
    assert survey.state == Survey.State.OPEN and survey.questions.count() == 3
    client.post(response["Location"], {"action": "close"})
    survey.refresh_from_db()
    assert survey.state == Survey.State.CLOSED
    assert "门头调查" in client.get(url).content.decode()
