"""Deliveries get a globally unique idempotency key (a UUID, one per existing row too), the moment the
current claim began its outgoing call, and the record of attempts whose outcome is unknown."""

import uuid

from django.db import migrations, models


def give_each_row_its_own_key(apps, schema_editor):
    Delivery = apps.get_model("communications", "Delivery")
    for pk in Delivery.objects.filter(idempotency_key__isnull=True).values_list("pk", flat=True).iterator():
        Delivery.objects.filter(pk=pk).update(idempotency_key=uuid.uuid4())


class Migration(migrations.Migration):

    dependencies = [
        ("communications", "0004_calendar_feeds"),
    ]

    operations = [
        migrations.AddField(
            model_name="delivery",
            name="idempotency_key",
            field=models.UUIDField(null=True, editable=False),
        ),
        migrations.RunPython(give_each_row_its_own_key, migrations.RunPython.noop),
        migrations.AddField(
            model_name="delivery",
            name="attempt_started_at",
            field=models.DateTimeField(
                blank=True,
                null=True,
                help_text="When the current claim began the outgoing call (outcome unknown if lost).",
            ),
        ),
        migrations.AddField(
            model_name="delivery",
            name="unknown_attempts",
            field=models.PositiveSmallIntegerField(default=0, help_text="Attempts whose outcome is unknown."),
        ),
        migrations.AddField(
            model_name="delivery",
            name="retry_same_key",
            field=models.BooleanField(default=False, help_text="An unknown outcome's one retry is still to come."),
        ),
        migrations.AlterField(
            model_name="delivery",
            name="status",
            field=models.CharField(
                choices=[
                    ("awaiting_approval", "Awaiting approval"),
                    ("pending", "Pending"),
                    ("sending", "Sending"),
                    ("sent", "Sent"),
                    ("failed", "Failed"),
                    ("late", "Late (not sent)"),
                    ("skipped", "Skipped"),
                    ("unknown", "Outcome unknown"),
                ],
                default="pending",
                max_length=20,
            ),
        ),
    ]
