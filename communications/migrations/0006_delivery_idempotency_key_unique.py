"""The idempotency key is required and unique (its own migration: PostgreSQL alters the table after the
previous migration's data step has committed)."""

import uuid

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ("communications", "0005_delivery_idempotency_key_unknown_outcome"),
    ]

    operations = [
        migrations.AlterField(
            model_name="delivery",
            name="idempotency_key",
            field=models.UUIDField(
                default=uuid.uuid4,
                editable=False,
                unique=True,
                help_text="Webhook Idempotency-Key and email Message-ID.",
            ),
        ),
    ]
