"""The built-in `datetime_attr` filter: a moment as HTML's <time datetime> wants it.

`{{ entry.when|datetime_attr }}` gives 2026-12-01T08:54:35.016+00:00, in the current time
zone. Django's `date:"c"` prints microseconds, six digits, where HTML allows three at most.
"""

import datetime

from django import template
from django.utils import timezone

register = template.Library()


@register.filter
def datetime_attr(moment):
    if not isinstance(moment, datetime.datetime):
        return ""
    if timezone.is_aware(moment):
        moment = timezone.localtime(moment)
    return moment.isoformat(timespec="milliseconds")
