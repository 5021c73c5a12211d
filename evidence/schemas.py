"""What the API says of an item's evidence, beside the roadmap's item (its `demand` and
`evidence_mismatch`): the same numbers as the item page."""

from decimal import Decimal

from ninja import Schema

from personas.models import Side


class SideDemandOut(Schema):
    notes: int
    score: int
    share: int


class DemandOut(Schema):
    """Read from evidence.demand.Demand: notes and score per side, companies asking."""

    notes: int
    customer: SideDemandOut
    user: SideDemandOut
    companies: int
    arr: Decimal
    renewing: int
    renewing_arr: Decimal
    end_user_mentions: int

    @staticmethod
    def resolve_customer(demand):
        return {"notes": demand.customer_notes, "score": demand.customer_score,
                "share": demand.customer_share}

    @staticmethod
    def resolve_user(demand):
        return {"notes": demand.user_notes, "score": demand.user_score,
                "share": demand.user_share}


class MismatchOut(Schema):
    """The tag disagrees with the evidence: how, and the numbers in words."""

    kind: str
    side: Side
    share: int
    description: str
