from xietong.core.checks import check_settings


def ids(settings):
    return {p.id for p in check_settings(None)}


def test_production_without_secret_key_is_an_error(settings, monkeypatch):
    monkeypatch.delenv("SECRET_KEY", raising=False)
    monkeypatch.delenv("SECRET_KEY_FILE", raising=False)
    settings.DEBUG = False
    assert "xietong.E001" in ids(settings)
    monkeypatch.setenv("SECRET_KEY", "x" * 50)
    assert "xietong.E001" not in ids(settings)


def test_unknown_broker_scheme_is_named(settings):
    settings.CELERY_BROKER_URL = "rabit://localhost"
    problems = check_settings(None)
    assert any(p.id == "xietong.E002" and "rabit" in p.msg for p in problems)


def test_retention_must_be_positive(settings):
    settings.PERSONAL_DATA_RETENTION_DAYS = 0
    assert "xietong.E003" in ids(settings)


def test_development_defaults_pass(settings):
    settings.DEBUG = True
    settings.CELERY_BROKER_URL = ""
    assert ids(settings) == set()
