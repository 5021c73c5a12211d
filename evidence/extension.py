"""What evidence adds to the roadmap's pages, registered from EvidenceConfig.ready().

roadmap never imports this app: it calls the hooks of roadmap.extensions.RoadmapExtension,
which this class fills in. Each hook runs a fixed number of queries.
"""

from django import forms
from django.db.models import F
from django.db.models.functions import Coalesce

from personas.models import Side
from roadmap.extensions import Column, RoadmapExtension
from roadmap.rows import NONE_SHOWN, html_of

from . import demand as counted
from .models import ItemDemand
from .templatetags.money import money, money_short
from .value import suggestions

MISMATCH = "mismatch"


def _sort_expression(key):
    """The SQL a demand column sorts by: the item's counts (a join), or its companies'
    revenue (a correlated subquery per item)."""
    if key in ItemDemand.COUNTS:
        return Coalesce(F(f"counted_demand__{key}"), 0)
    return counted.asking_revenue()


class EvidenceExtension(RoadmapExtension):
    item_panel = "evidence/item_panel.html#evidence-panel"
    dashboard_panel = "evidence/dashboard.html#evidence-lists"
    dashboard_contents = (("mismatch-heading", "Tag disagrees with the evidence"),
                          ("renewals-heading", "Renewals at risk"),
                          ("listening-heading", "Listening coverage"))
    list_columns = (
        Column("customer_score", "Customer demand",
               "Customer-side notes and their weighted score"),
        Column("user_score", "User demand", "End-user mentions and their weighted score"),
        Column("arr", "Revenue asking",
               "Companies asking and their annual recurring revenue"),
    )

    def item_context(self, request, item):
        from .views import panel_context  # views import the models this module loads

        return panel_context(request, item)

    def list_filter_fields(self):
        return {"evidence": forms.ChoiceField(
            label="Evidence", required=False,
            choices=[("", "Any"), (MISMATCH, "Tag disagrees with the evidence"),
                     ("any", "Has evidence"), ("none", "No evidence")])}

    def filter_list(self, items, data):
        wanted = data.get("evidence")
        if wanted == MISMATCH:
            return counted.mismatched(items)
        if wanted in ("any", "none"):
            return items.filter(counted_demand__isnull=wanted == "none")
        return items

    def sort_list(self, items, key, descending):
        if key not in {column.sort for column in self.list_columns}:
            return items
        value = _sort_expression(key)
        order = value.desc() if descending else value.asc()
        return items.order_by(order, "product__name", "title", "pk")

    @property
    def api_item_fields(self):
        from .schemas import DemandOut, MismatchOut  # ninja's, loaded with the API

        return {"demand": DemandOut, "evidence_mismatch": MismatchOut}

    def api_item_values(self, item):
        from .schemas import DemandOut

        return {"demand": DemandOut.data(item.demand),
                "evidence_mismatch": mismatch_data(item, item.demand)}

    def load_rows(self, items):
        demands = counted.demand_for([item.pk for item in items])
        for item in items:
            item.demand = demands[item.pk]

    def list_row_cells(self, item):
        demand = item.demand
        customers = users = revenue = NONE_SHOWN
        if demand.customer_notes:
            customers = html_of('{} <span class="muted" title="score">· {}</span>',
                                demand.customer_notes, demand.customer_score)
        if demand.user_notes:
            users = html_of('{} <span class="muted" title="score">· {}</span>',
                            demand.user_notes, demand.user_score)
        if demand.companies:
            renews = ""
            if demand.renewing:
                renews = html_of(' <span class="badge renewing" title="{} renewing within 90 '
                                 'days">renews</span>', money(demand.renewing_arr))
            revenue = html_of('{} <span class="muted">· {}</span>{}', money_short(demand.arr),
                              demand.companies, renews)
        return html_of('<td data-label="Customer demand" class="num compact-col">{}</td>\n'
                       '<td data-label="User demand" class="num compact-col">{}</td>\n'
                       '<td data-label="Revenue asking" class="num compact-col">{}</td>\n',
                       customers, users, revenue)

    def list_row_badges(self, item):
        demand = item.demand
        if not demand.mismatch:
            return ""
        return html_of('<span class="badge warning mismatch-badge">Tag disagrees with the '
                       'evidence ({} {}%)</span>', demand.mismatch_side.label.lower(),
                       demand.mismatch_share)

    def triage_suggestions(self, item):
        return suggestions(counted.demand_for([item.pk])[item.pk])

    def dashboard_context(self, request, items, balance):
        from .views import dashboard_context

        return dashboard_context(request, items, balance.thresholds)

    def export_headers(self):
        return ["Customer notes", "Customer score", "End-user mentions", "User score",
                "Companies asking", "Revenue asking", "Revenue renewing within 90 days",
                "Tag disagrees with the evidence"]

    def export_values(self, item):
        demand = item.demand
        return [demand.customer_notes, demand.customer_score, demand.user_notes,
                demand.user_score, demand.companies, demand.arr, demand.renewing_arr,
                describe_mismatch(item, demand)]

    def seed_demo(self, command):
        from .seed import seed_evidence

        seed_evidence(command)

    def remove_demo(self, demo, *, by):
        from .seed import remove_demo_evidence

        return remove_demo_evidence(demo, by=by)


def mismatch_data(item, demand):
    """The mismatch as the API gives it, or None when the tag agrees."""
    if not demand.mismatch:
        return None
    return {"kind": demand.mismatch, "side": demand.mismatch_side,
            "share": demand.mismatch_share, "description": describe_mismatch(item, demand)}


def describe_mismatch(item, demand):
    """The mismatch in words with its numbers, or "" when the tag agrees."""
    if not demand.mismatch:
        return ""
    side = demand.mismatch_side
    share = demand.share(side)
    score = demand.customer_score if side == Side.CUSTOMER else demand.user_score
    weight = (f"{share}% of the evidence weight ({score} of {demand.score}, "
              f"{demand.notes} note{'s' if demand.notes != 1 else ''}) comes from "
              f"{side.label.lower()}")
    if demand.mismatch == counted.Mismatch.WHOSE_PROBLEM:
        triage = item.current_triage()
        return (f"Whose problem says “{triage.get_whose_problem_display().lower()}”, but the "
                f"requester is on the {side.label.lower()} side and {weight}.")
    triage = item.current_triage()
    return f"Tagged {triage.get_beneficiary_class_display().lower()}, but {weight}."

