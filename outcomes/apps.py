from django.apps import AppConfig


class OutcomesConfig(AppConfig):
    name = "outcomes"
    verbose_name = "Outcomes"

    def ready(self):
        # What outcomes adds to the lower apps, which never import it: the dashboard's
        # product health and the list's "did it move?" (extension.py), its models on the
        # audit trail, and the owner's email when a review challenges an item.
        from audit import trail
        from roadmap import extensions
        from roadmap import models as roadmap_models

        from .extension import OutcomesExtension
        from .tasks import notify_challenge

        extensions.register(OutcomesExtension())
        trail.register("reading", "outcomes.MetricReading", "Metric reading",
                       object_label=lambda record: f"Reading of {record.period:%Y-%m}")
        trail.register("outcome", "outcomes.ItemOutcome", "Did it move?",
                       object_label=lambda record: f"Did it move? {record.get_verdict_display()}")
        trail.register("email_settings", "outcomes.EmailSettings", "Email settings",
                       object_label=lambda record: "Email settings")
        if notify_challenge not in roadmap_models.REVIEW_HOOKS:
            roadmap_models.REVIEW_HOOKS.append(notify_challenge)
