from django.db import migrations


def seed(apps, schema_editor):
    from xietong.water.rules import seed as seed_rules

    seed_rules(apps.get_model("water", "RuleSet"))


class Migration(migrations.Migration):
    dependencies = [("water", "0001_initial")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
