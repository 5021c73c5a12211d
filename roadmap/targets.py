"""A quarter's plan against its balance targets: the share of its triaged items per class and
of its estimated effort serving each side. One GROUP BY query for any number of quarters.

Effort serves a side when its item benefits that side directly (one-sided for it, or both),
or benefits the other side and states how it creates value for this one (triage question
2): `serving_effort` below is the one place that rule is counted.
"""

from dataclasses import dataclass, field

from .models import UNTRIAGED, BalanceTarget, BeneficiaryClass
from .quarters import Quarter

BOTH, CUSTOMERS, USERS = BeneficiaryClass.BOTH, BeneficiaryClass.CUSTOMERS, BeneficiaryClass.USERS


@dataclass
class Check:
    """One target against the actual share: "Items for both: 22% (at least 30%)"."""

    label: str
    actual: float | None  # None: nothing to measure (no triaged items, no estimates)
    target: int
    at_least: bool
    field: str

    @property
    def met(self):
        if self.actual is None:
            return True
        return self.actual >= self.target if self.at_least else self.actual <= self.target

    @property
    def rounded(self):
        """The share as it reads, never rounded onto the wrong side of its target."""
        if self.actual is None:
            return None
        for digits in (None, 1, 2):
            value = round(self.actual, digits)
            if (value >= self.target if self.at_least else value <= self.target) == self.met:
                return value
        return round(self.actual, 3)

    @property
    def bound(self):
        return f"{'at least' if self.at_least else 'at most'} {self.target}%"


@dataclass
class QuarterBalance:
    """The items planned for one quarter (dropped ones not counted) against its targets."""

    quarter: Quarter
    target: BalanceTarget
    items: dict = field(default_factory=dict)  # class or "untriaged": items
    effort: dict = field(default_factory=dict)  # class or "untriaged": points
    effort_lacking: dict = field(default_factory=dict)  # one-sided class: points, no value
    # The same quarter per product: product id -> QuarterBalance (with its product's name).
    per_product: dict = field(default_factory=dict)
    product_name: str = ""

    def add(self, row):
        key = row["benefits"]
        self.items[key] = self.items.get(key, 0) + row["items"]
        self.effort[key] = self.effort.get(key, 0) + (row["points"] or 0)
        self.effort_lacking[key] = self.effort_lacking.get(key, 0) + (row["points_lacking"] or 0)

    @property
    def triaged(self):
        return sum(n for key, n in self.items.items() if key != UNTRIAGED)

    @property
    def untriaged(self):
        return self.items.get(UNTRIAGED, 0)

    @property
    def triaged_effort(self):
        return sum(n for key, n in self.effort.items() if key != UNTRIAGED)

    def serving_effort(self, side_class):
        """Points serving the side of `side_class` (CUSTOMERS or USERS): that class, both,
        and the other one-sided class where it states a value for this side."""
        other = USERS if side_class == CUSTOMERS else CUSTOMERS
        return (self.effort.get(side_class, 0) + self.effort.get(BOTH, 0)
                + self.effort.get(other, 0) - self.effort_lacking.get(other, 0))

    def _item_share(self, key):
        return 100 * self.items.get(key, 0) / self.triaged if self.triaged else None

    def _effort_share(self, side_class):
        total = self.triaged_effort
        return 100 * self.serving_effort(side_class) / total if total else None

    @property
    def checks(self):
        t = self.target
        return [
            Check("Items for both", self._item_share(BOTH), t.min_both_share, True,
                  "min_both_share"),
            Check("Customers only", self._item_share(CUSTOMERS), t.max_customers_share, False,
                  "max_customers_share"),
            Check("Users only", self._item_share(USERS), t.max_users_share, False,
                  "max_users_share"),
            Check("Effort serving customers", self._effort_share(CUSTOMERS),
                  t.min_customer_effort_share, True, "min_customer_effort_share"),
            Check("Effort serving users", self._effort_share(USERS),
                  t.min_user_effort_share, True, "min_user_effort_share"),
        ]

    @property
    def missed(self):
        return [check for check in self.checks if not check.met]

    @property
    def off_target(self):
        return bool(self.missed)

    def summary(self):
        """The misses in one line: "62% customers only (at most 40%), ..."."""
        return "; ".join(f"{c.label.lower()} {c.rounded}% ({c.bound})" for c in self.missed)


def quarter_balances(items, quarters):
    """A QuarterBalance per quarter in `quarters` for `items` (two queries: the targets and
    one GROUP BY)."""
    targets = BalanceTarget.objects.for_quarters(quarters)
    balances = {str(q): QuarterBalance(q, targets[str(q)]) for q in quarters}
    for row in items.planned_for(quarters).quarter_mix():
        balance = balances[row["target_quarter"]]
        balance.add(row)
        balance.per_product.setdefault(row["product_id"], QuarterBalance(
            balance.quarter, balance.target, product_name=row["product__name"])).add(row)
    return list(balances.values())


def current_and_next(items):
    """The balances of the current and the next quarter."""
    current = Quarter.current()
    return quarter_balances(items, [current, current.next()])
