from django.db import migrations


def seed(apps, schema_editor):
    from xietong.airquality.warning_rules import seed

    seed(apps.get_model("airquality", "WarningRuleSet"))


class Migration(migrations.Migration):
    dependencies = [("airquality", "0001_initial")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
