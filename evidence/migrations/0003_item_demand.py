import django.db.models.deletion
from django.db import migrations, models
from django.db.models import Count, F, Q, Sum, Value
from django.db.models.functions import Coalesce


def count_existing(apps, schema_editor):
    """Each item's notes and score per side from the links there are (as ItemDemand.refresh;
    a migration cannot call it)."""
    Evidence = apps.get_model("evidence", "Evidence")
    ItemDemand = apps.get_model("evidence", "ItemDemand")
    # A note from someone who pays and uses counts for both sides.
    customer = Q(evidence__persona__side__in=["customer", "both"])
    user = Q(evidence__persona__side__in=["user", "both"])
    weight, zero = F("evidence__importance") + 1, Value(0)
    rows = Evidence.items.through.objects.order_by().values("roadmapitem").annotate(
        notes=Count("evidence"),
        customer_notes=Count("evidence", filter=customer),
        customer_score=Coalesce(Sum(weight, filter=customer), zero),
        user_notes=Count("evidence", filter=user),
        user_score=Coalesce(Sum(weight, filter=user), zero),
    )
    ItemDemand.objects.bulk_create(
        [ItemDemand(item_id=row.pop("roadmapitem"), **row) for row in rows], batch_size=1000)


class Migration(migrations.Migration):

    dependencies = [
        ('evidence', '0002_roles'),
        ('roadmap', '0011_triage_values_evidence_thresholds'),
    ]

    operations = [
        migrations.CreateModel(
            name='ItemDemand',
            fields=[
                ('item', models.OneToOneField(on_delete=django.db.models.deletion.CASCADE, primary_key=True, related_name='counted_demand', serialize=False, to='roadmap.roadmapitem')),
                ('notes', models.PositiveIntegerField(default=0)),
                ('customer_notes', models.PositiveIntegerField(default=0)),
                ('customer_score', models.PositiveIntegerField(default=0)),
                ('user_notes', models.PositiveIntegerField(default=0)),
                ('user_score', models.PositiveIntegerField(default=0)),
            ],
        ),
        migrations.RunPython(count_existing, migrations.RunPython.noop),
    ]
