"""The demo's calibration round: Priya and Marco classified twelve demo items blind, and
disagreed on a few, so the results page has something to show. Idempotent."""

from django.contrib.auth import get_user_model

from personas.models import Persona, Side

from .models import Round

DEMO_ROUND = "Demo: the platform and expenses roadmap"
DEMO_ITEMS = [
    "Single sign-on with SAML", "Audit log export", "SCIM user provisioning",
    "Role-based admin permissions", "Usage report for leadership",
    "Two-factor authentication for all", "Billing by active seat",
    "Receipt capture from the camera", "Keyboard shortcuts for reconciliation",
    "Offline mode on mobile", "Approve from email in one click",
    "Policy violations flagged before submit",
]
# Where Marco (pm2) answers otherwise than the item's triage (which Priya's answer follows):
# title -> (primary personas, whose problem, value for the other side).
MARCO_DIFFERS = {
    "Single sign-on with SAML": (["IT administrator"], Side.CUSTOMER,
                                 "The security review passes, so the renewal keeps users' "
                                 "access."),
    "Two-factor authentication for all": (["Compliance officer"], Side.CUSTOMER, ""),
    "Policy violations flagged before submit": (["Field employee"], Side.USER,
                                                "Fewer rejected reports for finance to chase."),
    "Usage report for leadership": (["Economic buyer", "Approving manager"], Side.USER, ""),
}
REASON = "Demo content removed"


def seed_round(command):
    if Round.objects.filter(name=DEMO_ROUND).exists():
        return
    people = {p.username: p for p in get_user_model().objects.filter(
        username__in=["pm", "pm2", "lead"])}
    from roadmap.models import RoadmapItem

    items = {item.title: item for item in RoadmapItem.objects.for_triage().filter(
        title__in=DEMO_ITEMS, triage__isnull=False)}
    if len(people) < 3 or len(items) < len(DEMO_ITEMS):
        return  # the demo was partly removed: make no round from what is left
    personas = {p.name: p for p in Persona.objects.all()}
    ordered = [items[title] for title in DEMO_ITEMS]
    demo = Round.start(name=DEMO_ROUND, raters=[people["pm"], people["pm2"]], items=ordered,
                       started_by=people["lead"])
    for item in ordered:
        answer = _triage_answer(item)
        demo.record_answer(rater=people["pm"], item=item, **answer)
        if item.title in MARCO_DIFFERS:
            primary, whose, value = MARCO_DIFFERS[item.title]
            answer = {**answer, "primary_beneficiaries": [personas[n] for n in primary],
                      "whose_problem": whose, "value_for_other_side": value,
                      "indirect_beneficiaries": [], "metrics": []}
        demo.record_answer(rater=people["pm2"], item=item, **answer)  # the last one closes it
    command.stdout.write(f"  A finished calibration round: “{DEMO_ROUND}”.")


def _triage_answer(item):
    triage = item.triage
    return {
        "primary_beneficiaries": list(triage.primary_beneficiaries.all()),
        "whose_problem": triage.whose_problem,
        "value_for_other_side": triage.value_for_other_side,
        "indirect_beneficiaries": list(triage.indirect_beneficiaries.all()),
        "metrics": list(triage.metrics.all()),
        "customer_value": triage.customer_value, "user_value": triage.user_value,
    }


def remove_demo_rounds(demo, *, by):
    """With all of the demo content: the demo round the demo team lead started."""
    if demo.scope is not None:
        return []
    removed = 0
    for each in Round.objects.filter(name=DEMO_ROUND, started_by__username="lead"):
        each._history_user, each._change_reason = by, REASON
        each.delete()
        removed += 1
    return [f"{removed} calibration round{'s' if removed != 1 else ''}"] if removed else []
