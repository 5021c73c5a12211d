"""Emails, sent by the task worker (`manage.py db_worker`), never from inside a request.

A task takes ids, reloads what it needs and sends one message; the backend comes from the
environment (settings.MAILERS from EMAIL_BACKEND and friends: the console unless SMTP is set
up, see the README).
"""

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.tasks import task
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from roadmap.models import Review, Verdict

from .models import DIGEST_EVERY, EmailSettings


def notify_challenge(review):
    """roadmap's review hook (after commit): queue the owner's email for a challenge."""
    if review.verdict == Verdict.CHALLENGED:
        send_challenge_email.enqueue(review.pk, review.version)


def site_url(path):
    return settings.SITE_URL.rstrip("/") + path


@task()
def send_challenge_email(review_id, review_version):
    """Tell the item's owner a team lead challenged it; nothing when the challenge was
    replaced since, the owner has no email address or switched these emails off."""
    review = Review.objects.select_related("item__owner", "item__product", "reviewed_by") \
        .filter(pk=review_id, version=review_version, verdict=Verdict.CHALLENGED).first()
    owner = review and review.item.owner
    if not owner or not owner.email or not owner.is_active \
            or not EmailSettings.of(owner).challenge_emails:
        return False
    context = {"review": review, "item": review.item, "owner": owner,
               "url": site_url(review.item.get_absolute_url()),
               "settings_url": site_url("/outcomes/settings/")}
    send_mail(f"Challenged: {review.item.title}",
              render_to_string("outcomes/email/challenged.txt", context),
              None, [owner.email], using="default")
    return True


@task()
def send_digest(person_id):
    """One team lead's weekly digest, unless they unsubscribed or had it this week."""
    from .digest import weekly_digest

    with transaction.atomic():
        subscription = EmailSettings.objects.select_for_update().select_related("person") \
            .filter(person_id=person_id, weekly_digest=True).first()
        now = timezone.now()
        lead = subscription and subscription.person
        if not lead or not lead.email or not lead.is_active or not subscription.digest_due(now):
            return False
        digest = weekly_digest(since=subscription.last_digest_at or now - DIGEST_EVERY)
        send_mail("Who Benefits: your weekly digest",
                  render_to_string("outcomes/email/digest.txt", {
                      **digest, "lead": lead, "url": site_url("/roadmap/review/"),
                      "targets_url": site_url(reverse("roadmap:targets")),
                      "settings_url": site_url("/outcomes/settings/")}),
                  None, [lead.email], using="default")
        EmailSettings.objects.filter(pk=subscription.pk).update(last_digest_at=now)
    return True


def queue_digests():
    """Queue a digest for every subscribed team lead whose last one is a week old; returns
    how many (what `send_digests` runs, from cron or a systemd timer)."""
    now = timezone.now()
    due = [s.person_id for s in EmailSettings.objects.filter(
        weekly_digest=True, person__is_active=True).exclude(person__email="")
        if s.digest_due(now)]
    for person_id in due:
        send_digest.enqueue(person_id)
    return len(due)


