"""The customer and user values the evidence suggests for a triage, with their arithmetic.

No hidden formula: each suggestion carries the steps that led to it, and the triage shows
them. The PM sets the values; a suggestion is never applied by itself.

- Score (a note weighs 1 + its importance): 0 none, 1 to 3 low, 4 to 9 medium, 10+ high.
- Customer value: the higher of the customer-side score's level and the revenue's level
  (the asking companies' share of all active revenue: under 5% low, 5% to 15% medium,
  15% and more high), one level more (at most high) when one of them renews within 90
  days or is overdue.
- User value: the user-side score's level.
"""

from decimal import Decimal

from django.db.models import Sum

from roadmap.extensions import Suggestion
from roadmap.models import ValueLevel

from .models import Company
from .templatetags.money import money_short

SCORE_LEVELS = [(10, ValueLevel.HIGH, "10 or more"), (4, ValueLevel.MEDIUM, "4 to 9"),
                (1, ValueLevel.LOW, "1 to 3"), (0, ValueLevel.NONE, "0")]
SHARE_LEVELS = [(15, ValueLevel.HIGH, "15% or more"), (5, ValueLevel.MEDIUM, "5% to 15%"),
                (0, ValueLevel.LOW, "under 5%")]


def score_level(score):
    return next((level, words) for floor, level, words in SCORE_LEVELS if score >= floor)


def share_level(share):
    return next((level, words) for floor, level, words in SHARE_LEVELS if share >= floor)


def _plural(count, word, words=None):
    return f"{count} {word if count == 1 else words or word + 's'}"


def suggestions(demand, *, total_arr=None):
    """{"customer_value": Suggestion, "user_value": Suggestion} for this item's Demand, or
    {} when it has no evidence. Reads the total revenue unless given (one query)."""
    if not demand.notes:
        return {}
    level, words = score_level(demand.customer_score)
    reasons = [f"{_plural(demand.customer_notes, 'customer-side note')}, score "
               f"{demand.customer_score} ({words}: {level.label.lower()})"]
    if demand.companies:
        if total_arr is None:
            total_arr = Company.objects.active().aggregate(total=Sum("arr"))["total"]
        total_arr = total_arr or Decimal(0)
        share = float(100 * demand.arr / total_arr) if total_arr else 0.0
        revenue_level, revenue_words = share_level(share)
        reasons.append(f"{_plural(demand.companies, 'company', 'companies')} asking, "
                       f"{money_short(demand.arr)} revenue, {share:.1f}% of all "
                       f"({revenue_words}: {revenue_level.label.lower()})")
        level = max(level, revenue_level)
        if demand.renewing:
            days = demand.next_renewal_days
            when = f"overdue by {-days} days" if days < 0 else f"the next in {days} days"
            reasons.append(f"{demand.renewing} renewing within 90 days, {when} (one level up)")
            level = min(ValueLevel.HIGH, level + 1)
    customer = Suggestion(int(level), ValueLevel(level).label, tuple(reasons))
    user_level, user_words = score_level(demand.user_score)
    user = Suggestion(int(user_level), user_level.label, (
        f"{_plural(demand.user_notes, 'end-user mention')}, score {demand.user_score} "
        f"({user_words}: {user_level.label.lower()})",))
    return {"customer_value": customer, "user_value": user}
