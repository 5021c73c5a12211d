import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from roadmap.models import Review
from tests.factories import triage


def test_challenge_needs_a_comment(pm, lead, item, customer_persona):
    triage(item, [customer_persona], by=pm)
    with pytest.raises(ValidationError):
        item.record_review(verdict=Review.Verdict.CHALLENGED, comment="  ", reviewed_by=lead)
    assert not Review.objects.exists()


def test_database_refuses_a_challenge_without_comment(pm, lead, item, customer_persona):
    triage(item, [customer_persona], by=pm)
    review = item.record_review(verdict="accepted", comment="", reviewed_by=lead)
    with pytest.raises(IntegrityError), transaction.atomic():
        Review.objects.filter(pk=review.pk).update(verdict="challenged")


def test_untriaged_item_cannot_be_reviewed(lead, item):
    with pytest.raises(ValidationError):
        item.record_review(verdict="accepted", comment="", reviewed_by=lead)


def test_retriage_marks_a_challenge_answered(pm, lead, item, customer_persona, user_persona):
    triage(item, [customer_persona], by=pm)
    item.record_review(verdict="challenged", comment="Who uses this?", reviewed_by=lead)
    item.refresh_from_db()
    triage(item, [customer_persona, user_persona], by=pm)
    review = Review.objects.get(item=item)
    assert review.answered_at is not None
    assert not review.is_open_challenge
    assert review.history.count() == 2
