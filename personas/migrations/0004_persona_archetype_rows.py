from django.db import migrations, models
import django.db.models.deletion


class Migration(migrations.Migration):
    """Personas name their archetype by its key, as before: the column and its values stay;
    a foreign key to the archetype rows replaces the check of the fixed list."""

    dependencies = [
        ('personas', '0003_archetypes'),
    ]

    operations = [
        migrations.RemoveConstraint(
            model_name='persona',
            name='persona_archetype_valid',
        ),
        migrations.AlterField(
            model_name='historicalpersona',
            name='archetype',
            field=models.ForeignKey(blank=True, db_column='archetype', db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='personas.archetype', to_field='key'),
        ),
        migrations.AlterField(
            model_name='persona',
            name='archetype',
            field=models.ForeignKey(db_column='archetype', on_delete=django.db.models.deletion.PROTECT, related_name='personas', to='personas.archetype', to_field='key'),
        ),
    ]
