"""A declaration resent through the API with the same Idempotency-Key gets the first answer again."""

import json

from django.test import Client

from xietong.declarations.models import Declaration
from xietong.declarations.tests.conftest import id_number

URL = "/api/v1/declarations/declare/taiyuan"


def payload(units):
    return {
        "name": "王五",
        "id_number": id_number(9),
        "phone": "13903510009",
        "arrival_date": "2022-07-28",
        "destination": "太原市小店区坞城街道",
        "community": units["community"].pk,
        "stops": [{"place": "湖北省武汉市江夏区", "start": "2022-07-22", "end": "2022-07-26", "transport": "G508"}],
    }


def post(data, key=None):
    headers = {"HTTP_IDEMPOTENCY_KEY": key} if key else {}
    return Client().post(URL, json.dumps(data), content_type="application/json", **headers)


def test_the_resend_replays_the_first_answer(notice, decl_units):
    first = post(payload(decl_units), key="traveller-0001-a")
    again = post(payload(decl_units), key="traveller-0001-a")
    assert first.status_code == again.status_code == 200
    # The first answer, "created" included: the resend did not run the declaration again.
    assert again.json() == first.json() and first.json()["created"]
    assert Declaration.objects.count() == 1 and Declaration.objects.get().version == 1


def test_the_same_key_with_another_body_is_refused(notice, decl_units):
    post(payload(decl_units), key="traveller-0002-a")
    refused = post({**payload(decl_units), "phone": "13903510010"}, key="traveller-0002-a")
    assert refused.status_code == 422
    assert Declaration.objects.get().version == 1
