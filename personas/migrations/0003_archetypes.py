import django.db.models.deletion
import simple_history.models
from django.conf import settings
from django.db import migrations, models


# The archetypes every installation has, on their sides: the values personas already had.
BUILT_INS = [
    ("buyer", "Buyer", "customer"),
    ("decision_maker", "Decision-maker", "customer"),
    ("administrator", "Administrator", "customer"),
    ("champion", "Champion", "customer"),
    ("end_user", "End user", "user"),
    ("power_user", "Power user", "user"),
    ("occasional_user", "Occasional user", "user"),
]


def create_built_ins(apps, schema_editor):
    """Also called by tests/conftest.py after a test that flushed the database."""
    Archetype = apps.get_model("personas", "Archetype")
    for order, (key, name, side) in enumerate(BUILT_INS):
        Archetype.objects.get_or_create(
            key=key, defaults={"name": name, "side": side, "order": order, "built_in": True})


class Migration(migrations.Migration):

    dependencies = [
        ('personas', '0002_persona_pays_and_uses'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name='Archetype',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('key', models.SlugField(help_text='Made from the name; it cannot change later.', max_length=20, unique=True)),
                ('name', models.CharField(max_length=80, unique=True)),
                ('side', models.CharField(choices=[('customer', 'Customers'), ('user', 'Users'), ('both', 'Pays and uses')], max_length=8)),
                ('description', models.CharField(blank=True, max_length=300)),
                ('order', models.PositiveSmallIntegerField(default=0)),
                ('built_in', models.BooleanField(default=False, editable=False)),
            ],
            options={
                'ordering': ['-built_in', 'order', 'name'],
            },
        ),
        migrations.CreateModel(
            name='HistoricalArchetype',
            fields=[
                ('id', models.BigIntegerField(auto_created=True, blank=True, db_index=True, verbose_name='ID')),
                ('key', models.SlugField(help_text='Made from the name; it cannot change later.', max_length=20)),
                ('name', models.CharField(db_index=True, max_length=80)),
                ('side', models.CharField(choices=[('customer', 'Customers'), ('user', 'Users'), ('both', 'Pays and uses')], max_length=8)),
                ('description', models.CharField(blank=True, max_length=300)),
                ('order', models.PositiveSmallIntegerField(default=0)),
                ('built_in', models.BooleanField(default=False, editable=False)),
                ('history_id', models.AutoField(primary_key=True, serialize=False)),
                ('history_date', models.DateTimeField(db_index=True)),
                ('history_change_reason', models.CharField(max_length=100, null=True)),
                ('history_type', models.CharField(choices=[('+', 'Created'), ('~', 'Changed'), ('-', 'Deleted')], max_length=1)),
            ],
            options={
                'verbose_name': 'historical archetype',
                'verbose_name_plural': 'historical archetypes',
                'ordering': ('-history_date', '-history_id'),
                'get_latest_by': ('history_date', 'history_id'),
            },
            bases=(simple_history.models.HistoricalChanges, models.Model),
        ),
        migrations.AddConstraint(
            model_name='archetype',
            constraint=models.CheckConstraint(condition=models.Q(('side__in', ['customer', 'user', 'both'])), name='archetype_side_valid'),
        ),
        migrations.AddField(
            model_name='historicalarchetype',
            name='history_user',
            field=models.ForeignKey(null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL),
        ),
        migrations.RunPython(create_built_ins, migrations.RunPython.noop),
    ]
