"""The verdict at the top of the review dashboard: one line per product that answers "did we
serve both sides this quarter, as we planned, and is it showing in the product's numbers?".

Each line says whether the product's plan for this quarter meets the balance targets, which
of the two traps it falls into, and what the apps above roadmap flag (the warning signs of
its own metrics); each part links to the panel below that explains it. It reads only what
the dashboard has already counted: no query of its own.
"""

from dataclasses import dataclass, field


@dataclass
class ProductVerdict:
    name: str
    quarter: object = None  # this quarter's QuarterBalance for the product; None: no plan
    traps: list = field(default_factory=list)  # balance.Trap
    flags: list = field(default_factory=list)  # extensions.Flag

    @property
    def warnings(self):
        """How many things on the line need a look."""
        off_target = 1 if self.quarter is not None and self.quarter.off_target else 0
        return off_target + len(self.traps) + sum(1 for flag in self.flags if flag.warning)


def product_verdicts(balance, this_quarter, flags):
    """A ProductVerdict per product the dashboard counts, by name.

    `balance` is the RoadmapBalance (its traps per product), `this_quarter` the current
    quarter's QuarterBalance (its per_product plans), `flags` the extensions' Flags.
    """
    verdicts = {}

    def of(product_id, name):
        return verdicts.setdefault(product_id, ProductVerdict(name))

    for product_id, traps in balance.traps_per_product.items():
        of(product_id, balance.product_names[product_id]).traps = traps
    for product_id, plan in this_quarter.per_product.items():
        of(product_id, plan.product_name).quarter = plan
    for flag in flags:
        of(flag.product_id, flag.product_name).flags.append(flag)
    return sorted(verdicts.values(), key=lambda verdict: verdict.name)
