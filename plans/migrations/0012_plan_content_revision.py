from django.db import migrations, models
from django.db.models import F


def from_revision(apps, schema_editor):
    """Every plan's content is as new as its revision: no live part answers 304 for a change it has not shown."""
    apps.get_model("plans", "Plan").objects.update(content_revision=F("revision"))


class Migration(migrations.Migration):
    dependencies = [
        ("plans", "0011_plan_early_launch"),
    ]

    operations = [
        migrations.AddField(
            model_name="plan",
            name="content_revision",
            field=models.PositiveBigIntegerField(default=0, editable=False),
        ),
        migrations.RunPython(from_revision, migrations.RunPython.noop),
    ]
