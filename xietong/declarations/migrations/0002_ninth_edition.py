from django.db import migrations


def seed(apps, schema_editor):
    from xietong.declarations.rules import seed_edition

    seed_edition(apps.get_model("declarations", "RuleEdition"), apps.get_model("declarations", "TierRule"))


class Migration(migrations.Migration):
    dependencies = [("declarations", "0001_initial")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
