from django.db.backends.postgresql import base

from whobenefits.changes import StampsCommits


class DatabaseWrapper(StampsCommits, base.DatabaseWrapper):
    pass
