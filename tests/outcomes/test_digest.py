"""The weekly digest names each thing a team lead should look at, from real data: the traps,
this quarter and next against their targets, the warning signs in the products' metrics,
the items whose tag disagrees with the evidence and the challenges answered."""

from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone

from outcomes.models import EmailSettings, months_back, this_month
from outcomes.tasks import send_digest
from roadmap import roles
from roadmap.models import Review
from roadmap.quarters import Quarter
from tests.factories import (
    make_item,
    make_metric,
    make_note,
    make_person,
    make_product,
    make_reading,
    review_item,
    triage,
)

NOW, NEXT = Quarter.current(), Quarter.current().next()


@pytest.fixture
def subscribed_lead(db):
    lead = make_person(roles.TEAM_LEAD, username="lena", first_name="Lena",
                       email="lena@example.com")
    EmailSettings.objects.create(person=lead, weekly_digest=True)
    return lead


def digest(lead):
    """The body of the digest `lead` gets now (the task's own code, run here)."""
    mail.outbox.clear()
    assert send_digest.call(lead.pk) is True
    [email] = mail.outbox
    assert email.to == [lead.email]
    return email.body


@pytest.fixture
def customers_only_quarter(pm, buyer, employee):
    """This quarter's plan: three items for customers only, one for both."""
    for title in ["Audit log export", "SAML groups", "Invoice approvals"]:
        triage(make_item(title=title, horizon="now", target_quarter=str(NOW), effort=5),
               [buyer], by=pm)
    triage(make_item(title="Receipt scan", horizon="now", target_quarter=str(NOW), effort=3),
           [buyer, employee], by=pm)


def test_the_digest_names_the_trap_the_roadmap_falls_into(subscribed_lead,
                                                         customers_only_quarter):
    body = digest(subscribed_lead)
    assert "The two traps\n  ! Building only for buyers: 3 of 4 triaged items" in body


def test_the_digest_names_an_off_target_quarter_with_what_it_misses(subscribed_lead,
                                                                   customers_only_quarter):
    body = digest(subscribed_lead)
    assert "This quarter and next against their balance targets" in body
    assert (f"  ! {NOW.label()} is off target: items for both 25% (at least 30%); "
            "customers only 75% (at most 40%); effort serving users 17% (at least 50%).\n"
            in body)
    assert f"  {NEXT.label()}: no triaged items are planned for it yet." in body
    assert "http://127.0.0.1:8000/roadmap/targets/" in body


def test_a_quarter_on_target_reads_so(subscribed_lead, pm, buyer, employee):
    for _ in range(3):
        triage(make_item(horizon="next", target_quarter=str(NEXT), effort=2),
               [buyer, employee], by=pm)
    body = digest(subscribed_lead)
    assert f"  {NEXT.label()} is on target." in body
    assert "is off target" not in body


def test_the_digest_names_a_warning_sign_in_a_products_metrics(subscribed_lead,
                                                              admin_person):
    product = make_product(name="Expenses")
    revenue = make_metric(side="customer", name="Revenue")
    active = make_metric(side="user", name="Daily active users")
    for back, (money, people) in enumerate([(120, 836), (110, 950), (104, 990)]):
        period = months_back(this_month(), back)
        make_reading(revenue, product, period, money, by=admin_person)
        make_reading(active, product, period, people, by=admin_person)
    body = digest(subscribed_lead)
    assert ("  ! Expenses: High revenue with poor engagement. Customer metrics are rising "
            "(revenue rose 15%) while user metrics fall (daily active users fell 16%)") in body


def test_the_digest_lists_an_item_whose_tag_disagrees_with_the_evidence(
        subscribed_lead, pm, buyer, employee):
    item = make_item(title="Approve from email", horizon="now")
    triage(item, [employee], by=pm)  # users only, asked for by two buyers
    make_note(buyer, by=pm, items=[item], importance=3)
    make_note(buyer, by=pm, items=[item], importance=2)
    body = digest(subscribed_lead)
    assert (f"Items whose tag disagrees with the evidence: 1\n"
            f"  - Approve from email ({item.product.name})") in body


def test_the_digest_lists_a_challenge_answered_since_the_last_one(subscribed_lead, pm, buyer,
                                                                 employee):
    item = make_item(title="Audit log export", owner=pm, horizon="now")
    triage(item, [buyer], by=pm)
    review_item(item, "challenged", "Who among the users gains?", subscribed_lead)
    item.refresh_from_db()
    triage(item, [buyer, employee], by=pm)  # the owner's answer: a re-triage
    body = digest(subscribed_lead)
    assert (f"1\n  - Audit log export ({item.product.name}), re-triaged by Priya Menon: "
            "look again.") in body


def test_a_challenge_answered_before_the_last_digest_is_not_repeated(
        subscribed_lead, pm, buyer, employee):
    item = make_item(title="Audit log export", owner=pm, horizon="now")
    triage(item, [buyer], by=pm)
    review_item(item, "challenged", "Who among the users gains?", subscribed_lead)
    item.refresh_from_db()
    triage(item, [buyer, employee], by=pm)
    now = timezone.now()
    Review.objects.filter(item=item).update(answered_at=now - timedelta(days=10))
    EmailSettings.objects.filter(person=subscribed_lead).update(
        last_digest_at=now - timedelta(days=8))
    body = digest(subscribed_lead)
    assert "Challenges answered since" in body
    assert "Audit log export" not in body


def test_the_digest_reads_in_a_fixed_number_of_queries(subscribed_lead, customers_only_quarter,
                                                       pm, buyer, django_assert_num_queries):
    with django_assert_num_queries(17):
        digest(subscribed_lead)
    for _ in range(10):
        triage(make_item(horizon="next", target_quarter=str(NEXT)), [buyer], by=pm)
    EmailSettings.objects.filter(person=subscribed_lead).update(last_digest_at=None)
    with django_assert_num_queries(17):
        digest(subscribed_lead)
