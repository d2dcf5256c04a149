from django.db import migrations, models


def to_working_days(apps, schema_editor):
    # The seeded illustrative rules gave 30 calendar days; the same four weeks are 20 working days.
    apps.get_model("water", "RuleSet").objects.filter(code="cluster-2022", response_working_days=30).update(
        response_working_days=20
    )


def to_calendar_days(apps, schema_editor):
    apps.get_model("water", "RuleSet").objects.filter(code="cluster-2022", response_working_days=20).update(
        response_working_days=30
    )


class Migration(migrations.Migration):
    dependencies = [("water", "0002_seed_rules")]

    operations = [
        migrations.RenameField("ruleset", "response_days", "response_working_days"),
        migrations.AlterField(
            model_name="ruleset",
            name="response_working_days",
            field=models.PositiveSmallIntegerField(
                verbose_name="working days the upstream city has to answer a missed target"
            ),
        ),
        migrations.RunPython(to_working_days, to_calendar_days),
        migrations.AddField(
            model_name="boundarymiss",
            name="cleared_at",
            field=models.DateTimeField(blank=True, null=True, verbose_name="cleared"),
        ),
    ]
