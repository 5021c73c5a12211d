"""What outcomes adds to the roadmap's pages, registered from OutcomesConfig.ready().

roadmap never imports this app: it calls the hooks of roadmap.extensions.RoadmapExtension,
which this class fills in. Each hook runs a fixed number of queries.
"""

from django.db.models import Count, Window

from roadmap.extensions import Flag, RoadmapExtension

LIST_LIMIT = 5


class OutcomesExtension(RoadmapExtension):
    dashboard_panel = "outcomes/dashboard.html#product-health"
    list_panel = "outcomes/did_it_move.html#did-it-move"
    dashboard_contents = (("health-heading", "Product health"),)

    def dashboard_context(self, request, items, balance):
        from roadmap.forms import ReviewFilterForm
        from roadmap.models import RoadmapItem

        from .health import moved_by_class, product_health

        filters = ReviewFilterForm(request.GET)
        products = filters.products()
        # Beside the metrics, the quarter's plan as the targets panel counts it (and has
        # counted it: balance.plans): every horizon and status of the product and owner
        # filters (not the dashboard's mix).
        health, thresholds = product_health(
            filters.plan_scope(RoadmapItem.objects.all()), products,
            thresholds=balance.thresholds, plan=balance.plans[0] if balance.plans else None)
        return {"product_health": health, "health_thresholds": thresholds,
                "moved_by_class": moved_by_class(products)}

    def dashboard_flags(self, context):
        """Each product's warning signs, or that its metrics show none, from the health
        dashboard_context read."""
        flags = []
        for health in context.get("product_health", ()):
            product, anchor = health.product, f"health-{health.product.pk}"
            signs = health.warnings()
            flags += [Flag(product.pk, product.name, f"⚠ {sign.title}", anchor) for sign in signs]
            if not signs:
                flags.append(Flag(product.pk, product.name, "its metrics show no warning sign",
                                  anchor, warning=False))
        return flags

    def list_context(self, request):
        """The PM's shipped items that ask "did it move?" (one query: the first five and
        how many there are)."""
        if not request.user.has_perm("outcomes.add_itemoutcome"):
            return {}
        from roadmap.models import RoadmapItem

        from .models import items_to_ask

        asking = list(items_to_ask(RoadmapItem.objects.owned_by(request.user))
                      .select_related("product", "triage").prefetch_related("triage__metrics")
                      .annotate(total=Window(Count("pk"))).order_by("shipped_on", "pk")
                      [:LIST_LIMIT])
        return {"did_it_move": asking, "did_it_move_count": asking[0].total if asking else 0}

    def seed_demo(self, command):
        from .seed import seed_outcomes

        seed_outcomes(command)

    def remove_demo(self, demo, *, by):
        from .seed import remove_demo_readings

        return remove_demo_readings(demo, by=by)
