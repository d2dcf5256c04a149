"""/supervision/matters/<pk>/edit/: editing with optimistic locking."""

import pytest

from xietong.conftest import client_for, make_user
from xietong.core.models import Role
from xietong.supervision.models import Matter


def form_data(matter, **overrides):
    data = {
        "title": matter.title,
        "description": matter.description,
        "domain": matter.domain,
        "sub_area": matter.sub_area,
        "co_units": [c.unit_id for c in matter.co_units.all()],
        "start_date": matter.start_date.isoformat(),
        "due_date": matter.due_date.isoformat(),
        "priority": matter.priority,
        "reporting_frequency": matter.reporting_frequency,
        "version": matter.version,
    }
    data.update(overrides)
    return data


def url(matter):
    return f"/supervision/matters/{matter.pk}/edit/"


def fresh(matter):
    return Matter.objects.get(pk=matter.pk)


def test_anonymous_is_sent_to_log_in(led_matter, client):
    response = client.get(url(led_matter))
    assert response.status_code == 302 and "/login/" in response["Location"]


@pytest.mark.parametrize("who", ["outsider", "other_city_user"])
def test_those_outside_the_matter_get_a_404(led_matter, who, request):
    client = client_for(request.getfixturevalue(who))
    assert client.get(url(led_matter)).status_code == 404
    assert client.post(url(led_matter), form_data(led_matter, title="改")).status_code == 404
    assert fresh(led_matter).title == led_matter.title


@pytest.mark.parametrize("who", ["owner", "member", "jinzhong_staff"])
def test_only_the_office_changes_the_terms(led_matter, who, request):
    client = client_for(request.getfixturevalue(who))
    assert client.get(url(led_matter)).status_code == 403
    assert client.post(url(led_matter), form_data(led_matter, title="改")).status_code == 403
    assert fresh(led_matter).title == led_matter.title


def test_the_office_edits(led_matter, office_user, cluster):
    client = client_for(office_user)
    page = client.get(url(led_matter))
    assert page.status_code == 200 and f'value="{led_matter.version}"' in page.content.decode()
    response = client.post(
        url(led_matter), form_data(led_matter, title="太忻大气联防联控（修订）", co_units=[cluster["xinzhou"].pk])
    )
    assert response.status_code == 302
    matter = fresh(led_matter)
    assert matter.title == "太忻大气联防联控（修订）" and matter.version == led_matter.version + 1
    assert [c.unit for c in matter.co_units.all()] == [cluster["xinzhou"]]


def test_a_stale_edit_gets_a_conflict_message_and_nothing_is_overwritten(led_matter, office_user, cluster):
    mine = client_for(make_user("office-colleague", cluster["office"], Role.STAFF))
    theirs = client_for(office_user)
    stale = form_data(led_matter)
    assert theirs.post(url(led_matter), form_data(led_matter, title="办公室的修改")).status_code == 302
    response = mine.post(url(led_matter), {**stale, "title": "太原的修改"})
    assert response.status_code == 409
    html = response.content.decode()
    assert "督办员在您编辑期间修改了该事项。请重新加载页面查看其修改，然后再次进行您的修改。" in html
    assert "太原的修改" in html  # what the person typed is still in the form
    assert fresh(led_matter).title == "办公室的修改"


def test_due_before_start_gets_a_message(led_matter, office_user):
    response = client_for(office_user).post(url(led_matter), form_data(led_matter, due_date="2022-07-01"))
    assert response.status_code == 400 and "截止日期不能早于开始日期。" in response.content.decode()
    assert fresh(led_matter).due_date == led_matter.due_date


def test_a_sub_area_of_another_domain_gets_a_message(led_matter, office_user):
    response = client_for(office_user).post(url(led_matter), form_data(led_matter, sub_area="transport"))
    assert response.status_code == 400 and "该子领域不属于所选领域。" in response.content.decode()
    assert fresh(led_matter).sub_area == "air"


def test_the_lead_unit_is_not_offered_as_a_co_unit(led_matter, office_user):
    form = client_for(office_user).get(url(led_matter)).context["form"]
    assert led_matter.lead_unit not in form.fields["co_units"].queryset
