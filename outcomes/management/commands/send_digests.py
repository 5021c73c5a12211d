"""Queue this week's digests for the task worker: run it from cron or a systemd timer
(weekly, or daily: a lead gets at most one digest a week). Django's tasks have no schedule
of their own."""

from django.core.management.base import BaseCommand

from outcomes.tasks import queue_digests


class Command(BaseCommand):
    help = "Queue the weekly digest for every subscribed team lead who is due one."

    def handle(self, *args, **options):
        queued = queue_digests()
        self.stdout.write(f"Queued {queued} digest{'s' if queued != 1 else ''} for the worker.")
