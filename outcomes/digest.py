"""What a team lead's weekly digest says: the whole roadmap's traps, the current and next
quarter against their balance targets, the warning signs in the products' metrics, the items
whose tag disagrees with the evidence, and the challenges answered since the last digest. A
fixed number of queries, whatever the roadmap's size."""

from evidence.demand import mismatched
from roadmap.balance import RoadmapBalance
from roadmap.forms import ReviewFilterForm
from roadmap.models import Horizon, Review, RoadmapItem
from roadmap.targets import current_and_next

from .health import product_health

LIST_LIMIT = 5


def weekly_digest(*, since):
    filters = ReviewFilterForm({})
    items = filters.filter(RoadmapItem.objects.all())  # open items, every product
    balance = RoadmapBalance(filters.scope(RoadmapItem.objects.all()), list(Horizon.values))
    health, _ = product_health(RoadmapItem.objects.all())  # this quarter's plan
    disagreeing = mismatched(items).select_related("product").order_by("title")
    answered = Review.objects.filter(answered_at__gte=since).select_related(
        "item__product", "item__owner").order_by("-answered_at")
    return {
        "traps": balance.traps,
        # As the dashboard's targets panel counts them, every product and owner.
        "quarters": current_and_next(RoadmapItem.objects.all()),
        "warning_signs": [(h.product, sign) for h in health for sign in h.warnings()],
        "disagreeing": list(disagreeing[:LIST_LIMIT]), "disagreeing_count": disagreeing.count(),
        "answered": list(answered[:LIST_LIMIT]), "answered_count": answered.count(),
        "since": since,
    }
