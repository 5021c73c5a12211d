from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from tokens.models import ApiToken


class Command(BaseCommand):
    help = "Print a new personal API token for USERNAME (for scripts); it is shown only here."

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument("--name", default="Made on the command line")

    def handle(self, *args, username, name, **options):
        person = get_user_model().objects.filter(username=username).first()
        if person is None:
            raise CommandError(f"No person is called {username!r}.")
        if not person.is_active:
            raise CommandError(f"{username} is deactivated: their tokens would not work.")
        # The trail names no one: it was made at the server, not by a person signed in.
        _, raw = ApiToken.issue(person=person, name=name, created_by=None)
        self.stdout.write(raw)
