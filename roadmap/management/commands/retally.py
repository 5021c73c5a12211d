from django.core.management.base import BaseCommand

from roadmap import tally
from roadmap.models import ItemTally, PickTally


class Command(BaseCommand):
    help = ("Count the review dashboard's tallies of every roadmap item again from scratch "
            "(the database keeps them on every write; this is for a database restored without "
            "its triggers' work, or to check them).")

    def handle(self, *args, **options):
        tally.rebuild()
        self.stdout.write(f"Tallied {ItemTally.objects.count()} items and "
                          f"{PickTally.objects.count()} picks.")
