"""What calibration adds to the roadmap's pages, registered from CalibrationConfig.ready():
the review dashboard's panel (the last round's agreement and the trend over rounds) and the
demo round. roadmap never imports this app."""

from roadmap.extensions import RoadmapExtension

from .models import AgreementTarget, Round

# The dashboard's trend shows this many rounds, the newest last.
TREND_ROUNDS = 8


class CalibrationExtension(RoadmapExtension):
    dashboard_panel = "calibration/dashboard.html#calibration-panel"
    dashboard_contents = (("calibration-heading", "Calibration"),)

    def dashboard_context(self, request, items, balance):
        """The closed rounds' agreement (kept on each round as it closed): one query."""
        closed = list(Round.objects.closed().order_by("-closed_at", "-pk")[:TREND_ROUNDS])
        last = closed[0] if closed else None
        target = AgreementTarget.current().share
        return {"calibration": {
            "last": last, "trend": closed[::-1], "target": target,
            "below_target": bool(last and last.agreement_share is not None
                                 and last.agreement_share < target),
        }}

    def seed_demo(self, command):
        from .seed import seed_round

        seed_round(command)

    def remove_demo(self, demo, *, by):
        from .seed import remove_demo_rounds

        return remove_demo_rounds(demo, by=by)
