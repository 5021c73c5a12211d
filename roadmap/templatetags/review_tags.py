"""The review panel, dropped into any page that shows an item (one line in its template)."""

from django import template

from roadmap.forms import ReviewForm

register = template.Library()


@register.inclusion_tag("roadmap/review.html#review-form", takes_context=True)
def review_panel(context, item):
    """The item's review and, for a team lead, the form to accept or challenge it.

    Reads item.triage and item.review: select_related them (and review__reviewed_by).
    """
    request = context["request"]
    can_review = request.user.has_perm("roadmap.review_roadmapitem")
    return {
        "item": item, "compact": False, "can_review": can_review,
        "form": ReviewForm(item=item) if can_review else None,
        "request": request, "csrf_token": context.get("csrf_token"),
    }
