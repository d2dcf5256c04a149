from django.db import migrations

# The rule set as first seeded, frozen here: later migrations change it as the model changes
# (0003 counts the answer period in working days), and `xietong.water.rules` holds today's form.
FIRST_RULES = {
    "code": "cluster-2022",
    "name": "山西中部城市群跨界断面水质考核规则（示意）",
    "effective_from": "2022-01-01",
    "response_days": 30,
    "escalate_after": 2,
    "tolerances": {
        "ph": [0, 0.2],
        "do": [0.1, 0.5],
        "codmn": [0.15, 0.5],
        "cod": [0.15, 3],
        "bod5": [0.2, 0.5],
        "nh3n": [0.15, 0.05],
        "tp": [0.15, 0.01],
        "tn": [0.15, 0.1],
        "*": [0.2, 0],
    },
    "source": "示意规则：依据《山西中部城市群高质量发展规划》生态共治要求拟定，期限与容差为演示数据。",
}


def seed(apps, schema_editor):
    spec = dict(FIRST_RULES)
    apps.get_model("water", "RuleSet").objects.get_or_create(code=spec.pop("code"), defaults=spec)


class Migration(migrations.Migration):
    dependencies = [("water", "0001_initial")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
