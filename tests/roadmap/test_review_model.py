import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from roadmap.models import EditConflict, Review
from tests.factories import make_person, review_item, triage


def test_challenge_needs_a_comment(pm, lead, item, customer_persona):
    triage(item, [customer_persona], by=pm)
    with pytest.raises(ValidationError):
        review_item(item, Review.Verdict.CHALLENGED, "  ", lead)
    assert not Review.objects.exists()


def test_database_refuses_a_challenge_without_comment(pm, lead, item, customer_persona):
    triage(item, [customer_persona], by=pm)
    review = review_item(item, "accepted", "", lead)
    with pytest.raises(IntegrityError), transaction.atomic():
        Review.objects.filter(pk=review.pk).update(verdict="challenged")


def test_untriaged_item_cannot_be_reviewed(lead, item):
    with pytest.raises(ValidationError):
        review_item(item, "accepted", "", lead)


def test_retriage_marks_a_challenge_answered(pm, lead, item, customer_persona, user_persona):
    triage(item, [customer_persona], by=pm)
    review_item(item, "challenged", "Who uses this?", lead)
    item.refresh_from_db()
    triage(item, [customer_persona, user_persona], by=pm)
    review = Review.objects.get(item=item)
    assert review.answered_at is not None
    assert not review.is_open_challenge
    assert review.history.count() == 2


def test_second_lead_reviewing_from_a_stale_page_is_refused(pm, lead, item, customer_persona):
    triage(item, [customer_persona], by=pm)
    item.refresh_from_db()
    seen_version, seen_review_version = item.version, 0
    review_item(item, "accepted", "Fine by me.", lead)
    other_lead = make_person("Team lead", username="lead2")
    with pytest.raises(EditConflict):
        item.record_review(
            verdict="challenged", comment="Who uses this?", reviewed_by=other_lead,
            expected_version=seen_version, expected_review_version=seen_review_version,
        )
    review = Review.objects.get(item=item)
    assert (review.verdict, review.comment, review.reviewed_by) == ("accepted", "Fine by me.", lead)


def test_review_of_a_retriaged_item_is_refused(pm, lead, item, customer_persona, user_persona):
    triage(item, [customer_persona], by=pm)
    item.refresh_from_db()
    seen_version = item.version
    triage(item, [customer_persona, user_persona], by=pm)
    with pytest.raises(EditConflict):
        item.record_review(verdict="accepted", comment="", reviewed_by=lead,
                           expected_version=seen_version, expected_review_version=0)
    assert not Review.objects.exists()


def test_each_review_bumps_the_review_version(pm, lead, item, customer_persona):
    triage(item, [customer_persona], by=pm)
    assert review_item(item, "accepted", "", lead).version == 1
    assert review_item(item, "challenged", "Why now?", lead).version == 2


def test_exchange_tells_the_whole_story(pm, lead, item, customer_persona, user_persona):
    triage(item, [customer_persona], by=pm)
    review_item(item, "challenged", "Who uses this?", lead)
    item.refresh_from_db()
    triage(item, [customer_persona, user_persona], by=pm)
    item.refresh_from_db()
    review_item(item, "accepted", "Better.", lead)
    events = Review.objects.get(item=item).exchange()
    assert [(e.kind, e.person, e.text) for e in events] == [
        ("challenged", lead, "Who uses this?"),
        ("answered", pm, "Re-triaged in answer to the challenge."),
        ("accepted", lead, "Better."),
    ]
