"""Money in the one currency the settings name: `{{ company.arr|money }}` ($420,000) and
`{{ demand.arr|money_short }}` ($420K), in the active language's conventions (Babel)."""

from functools import cache

from babel import Locale
from babel.numbers import format_compact_currency, format_currency
from django import template
from django.conf import settings
from django.utils.translation import get_language, to_locale

register = template.Library()


def _locale():
    return _parsed(to_locale(get_language() or settings.LANGUAGE_CODE))


@cache
def _parsed(name):
    # Babel parses a locale name on every call; a list page formats a hundred amounts.
    return Locale.parse(name)


def money(amount):
    """The whole amount, without cents: "$420,000"."""
    if amount in (None, ""):
        return ""
    return format_currency(amount, settings.CURRENCY, format="¤#,##0", currency_digits=False,
                           locale=_locale())


def money_short(amount):
    """The amount in a few characters, for compact columns and reasons: "$420K"."""
    if amount in (None, ""):
        return ""
    return format_compact_currency(amount, settings.CURRENCY, fraction_digits=1,
                                   locale=_locale())


register.filter("money", money)
register.filter("money_short", money_short)
