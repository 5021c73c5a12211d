from django.apps import AppConfig


class OutcomesConfig(AppConfig):
    name = "outcomes"
    verbose_name = "Outcomes"

    def ready(self):
        # What outcomes adds to the lower apps, which never import it: the dashboard's
        # product health (extension.py) and the readings on the audit trail.
        from audit import trail
        from roadmap import extensions

        from .extension import OutcomesExtension

        extensions.register(OutcomesExtension())
        trail.register("reading", "outcomes.MetricReading", "Metric reading",
                       object_label=lambda record: f"Reading of {record.period:%Y-%m}")
        trail.register("outcome", "outcomes.ItemOutcome", "Did it move?",
                       object_label=lambda record: f"Did it move? {record.get_verdict_display()}")
