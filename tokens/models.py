"""Personal API tokens: a script acts as the person who made the token, with their role now.

Only a hash of each token is stored; the token itself is shown once, when it is made.
"""

import hashlib
import secrets
from datetime import timedelta

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from simple_history.models import HistoricalRecords

# Recognisable in a leaked file or a secret scanner; the rest is 256 random bits.
TOKEN_PREFIX = "wb_"
# The characters the tokens page shows, so a person can tell their tokens apart.
SHOWN_CHARACTERS = 8
# Writing the last use on every request would be one more write per call; a minute is
# precise enough to tell a live token from a forgotten one.
LAST_USED_PRECISION = timedelta(minutes=1)


def digest(raw):
    """A token's SHA-256: a fast hash is enough for 256 random bits (no guessing to slow)."""
    return hashlib.sha256(raw.encode()).hexdigest()


class ApiTokenQuerySet(models.QuerySet):
    def usable(self):
        """Tokens that still let their person in: not revoked, not expired, person active."""
        return self.filter(
            Q(expires_at__isnull=True) | Q(expires_at__gt=timezone.now()),
            revoked_at__isnull=True, person__is_active=True,
        )

    def visible_to(self, person):
        """Everyone's tokens for admins, one's own for everyone else."""
        if person.has_perm("tokens.view_apitoken"):
            return self
        return self.filter(person=person)


class ApiToken(models.Model):
    """A named personal token for the API; revoked, never deleted, so the trail keeps it."""

    person = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(max_length=80, help_text="What it is for, e.g. “nightly Jira sync”.")
    digest = models.CharField(max_length=64, unique=True, editable=False)
    shown = models.CharField("starts with", max_length=SHOWN_CHARACTERS + len(TOKEN_PREFIX),
                             editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField(null=True, blank=True)
    last_used_at = models.DateTimeField(null=True, blank=True, editable=False)
    revoked_at = models.DateTimeField(null=True, blank=True, editable=False)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
        related_name="+", editable=False)

    history = HistoricalRecords(excluded_fields=["digest", "last_used_at"])
    objects = ApiTokenQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = "API token"

    def __str__(self):
        return f"{self.name} ({self.shown}…)"

    @classmethod
    def issue(cls, *, person, name, expires_at=None, created_by):
        """Make a token for `person`; returns (token, the raw token to show once)."""
        raw = TOKEN_PREFIX + secrets.token_urlsafe(32)
        token = cls(person=person, name=name.strip(), expires_at=expires_at,
                    digest=digest(raw), shown=raw[:len(TOKEN_PREFIX) + SHOWN_CHARACTERS])
        token._history_user = created_by
        token.save()
        return token, raw

    @classmethod
    def authenticate(cls, raw):
        """The usable token `raw` names, with its person, or None. Notes its last use."""
        token = cls.objects.usable().select_related("person").filter(digest=digest(raw)).first()
        if token is not None:
            token.note_use()
        return token

    def note_use(self):
        now = timezone.now()
        if self.last_used_at is None or now - self.last_used_at >= LAST_USED_PRECISION:
            # update(): the last use is no change to audit.
            ApiToken.objects.filter(pk=self.pk).update(last_used_at=now)
            self.last_used_at = now

    @property
    def is_revoked(self):
        return self.revoked_at is not None

    @property
    def is_expired(self):
        return self.expires_at is not None and self.expires_at <= timezone.now()

    def revoke(self, *, revoked_by):
        """Stop the token at once; one history record naming who revoked it."""
        if self.is_revoked:
            return
        self.revoked_at, self.revoked_by = timezone.now(), revoked_by
        self._history_user = revoked_by
        self.save(update_fields=["revoked_at", "revoked_by"])
