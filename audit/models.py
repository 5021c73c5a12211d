from django.db import models


class ChangeStamp(models.Model):
    """One row: a random token renewed by every committed write (whobenefits/changes.py),
    so cached pages know whether the data changed. A technical marker, so no history of
    its own: the writes it stands for have theirs."""

    token = models.CharField(max_length=32)

    def __str__(self):
        return self.token
