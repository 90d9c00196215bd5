from django.db import migrations, models


def mark_readings(apps, schema_editor):
    """The reading events already logged that are not off target are no news (``Event.news``), in batches."""
    Event = apps.get_model("plans", "Event")
    readings = Event.objects.filter(kind="metric.reading").values_list("pk", "data")
    quiet = [pk for pk, data in readings.iterator(chunk_size=5000) if (data or {}).get("meets") is not False]
    for start in range(0, len(quiet), 5000):
        Event.objects.filter(pk__in=quiet[start : start + 5000]).update(news=False)


class Migration(migrations.Migration):
    dependencies = [
        ("plans", "0012_plan_content_revision"),
        ("roles", "0002_oncall_rotas"),
    ]

    operations = [
        migrations.AddField(
            model_name="event",
            name="news",
            field=models.BooleanField(default=True, editable=False),
        ),
        migrations.RunPython(mark_readings, migrations.RunPython.noop),
        migrations.AddIndex(
            model_name="event",
            index=models.Index(condition=models.Q(("news", True)), fields=["plan", "-at"], name="plans_event_news"),
        ),
    ]
