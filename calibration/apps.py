from django.apps import AppConfig


class CalibrationConfig(AppConfig):
    name = "calibration"
    verbose_name = "Calibration"

    def ready(self):
        # What calibration adds to the lower apps, which never import it: a panel on the
        # review dashboard and the demo round (extension.py), its models on the audit trail.
        from audit import trail
        from roadmap import extensions

        from .extension import CalibrationExtension
        from .models import closed_rounds_answers

        extensions.register(CalibrationExtension())
        trail.register("agreementtarget", "calibration.AgreementTarget", "Calibration target",
                       object_label=lambda record: "Calibration target")
        trail.register("round", "calibration.Round", "Calibration round")
        trail.register("rounditem", "calibration.RoundItem", "Calibration round item",
                       object_label=lambda record: f"Item {record.item_id} of round "
                                                   f"{record.round_id}")
        # Blind until the round closes, on the trail too (an admin may also be a PM in it).
        trail.register("roundanswer", "calibration.RoundAnswer", "Calibration round answer",
                       object_label=lambda record: f"Answer to item {record.item_id} in round "
                                                   f"{record.round_id}",
                       shown_only=closed_rounds_answers)
