"""The thresholds name the side as everywhere else: customers, not buyers. Values are kept."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("roadmap", "0007_effort_limit")]

    operations = [
        migrations.RemoveConstraint("reviewthresholds", "threshold_shares_are_percentages"),
        migrations.RenameField("historicalreviewthresholds", "buyers_only_share",
                               "customers_only_share"),
        migrations.RenameField("reviewthresholds", "buyers_only_share", "customers_only_share"),
        migrations.AddConstraint("reviewthresholds", models.CheckConstraint(
            condition=models.Q(customers_only_share__lte=100, users_only_share__lte=100),
            name="threshold_shares_are_percentages",
        )),
    ]
