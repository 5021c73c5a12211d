from django.contrib.auth import authenticate, get_user_model
from django.core.management import call_command
from django.test import RequestFactory

from personas.models import Persona, SuccessMetric
from roadmap.management.commands.seed_demo import DEMO_LOGINS, ITEMS, PAST
from roadmap.models import Product, Review, RoadmapItem, Triage


def snapshot():
    return {
        "people": sorted(get_user_model().objects.values_list("username", "is_staff")),
        "personas": sorted(Persona.objects.values_list("name", "side", "archetype")),
        "metrics": sorted(SuccessMetric.objects.values_list("name", "side")),
        "products": sorted(Product.objects.values_list("name", flat=True)),
        "items": sorted(RoadmapItem.objects.values_list("title", "status", "horizon", "version")),
        "triage": sorted(Triage.objects.values_list("item__title", "beneficiary_class")),
        "reviews": sorted(Review.objects.values_list("item__title", "verdict", "comment")),
        "history": Triage.history.count() + Review.history.count(),
    }


def test_seed_twice_gives_the_same_data(demo):
    first = snapshot()
    call_command("seed_demo", verbosity=0)
    assert snapshot() == first


def test_seed_covers_every_state_a_reviewer_needs(demo):
    assert RoadmapItem.objects.count() == len(ITEMS) + len(PAST) >= 30
    classes = set(Triage.objects.values_list("beneficiary_class", flat=True))
    assert classes == {"customers", "users", "both"}
    assert RoadmapItem.objects.untriaged().exists()
    assert RoadmapItem.objects.one_sided_without_value().exists()
    assert Triage.objects.exclude(value_for_other_side="").exists()
    assert set(Persona.objects.values_list("side", flat=True)) == {"customer", "user"}
    assert set(Review.objects.values_list("verdict", flat=True)) == {"accepted", "challenged"}


def test_seeded_demo_logins_work_with_their_roles(demo):
    for username, password, role, _ in DEMO_LOGINS:
        person = authenticate(RequestFactory().post("/login/"), username=username,
                              password=password)
        assert person is not None, username
        assert person.groups.filter(name=role).exists()


def test_seed_gives_a_quarter_off_target_and_eight_quarters_of_plan_against_reality(demo):
    from roadmap.reality import PlanAgainstReality
    from roadmap.targets import current_and_next

    this_quarter = current_and_next(RoadmapItem.objects.all())[0]
    assert not this_quarter.target.is_default
    assert this_quarter.off_target
    rows = PlanAgainstReality().rows
    assert len(rows) == 8
    assert all(row.shipped.total for row in rows)
    assert all(row.planned.total for row in rows[:-1])
    # Re-triaged on the way: some quarter shipped another mix than it planned.
    assert any(row.planned.counts != row.shipped.counts for row in rows[:-1])
