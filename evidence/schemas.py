"""What the API says of an item's evidence, beside the roadmap's item (its `demand` and
`evidence_mismatch`): the same numbers as the item page."""

from decimal import Decimal

from personas.models import Side
from whobenefits.api_schemas import Out


class SideDemandOut(Out):
    notes: int
    score: int
    share: int


class DemandOut(Out):
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
    def data(demand):
        """The fields of a Demand, as plain values."""
        return {"notes": demand.notes,
                "customer": {"notes": demand.customer_notes, "score": demand.customer_score,
                             "share": demand.customer_share},
                "user": {"notes": demand.user_notes, "score": demand.user_score,
                         "share": demand.user_share},
                "companies": demand.companies, "arr": demand.arr, "renewing": demand.renewing,
                "renewing_arr": demand.renewing_arr,
                "end_user_mentions": demand.end_user_mentions}


class MismatchOut(Out):
    """The tag disagrees with the evidence: how, and the numbers in words."""

    kind: str
    side: Side
    share: int
    description: str
