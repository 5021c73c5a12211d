from django.db.backends.sqlite3 import base

from whobenefits.changes import StampsCommits


class DatabaseWrapper(StampsCommits, base.DatabaseWrapper):
    pass
