"""Money in the one currency the settings name: `{{ company.arr|money }}` ($420,000) and
`{{ demand.arr|money_short }}` ($420K), in the active language's conventions (Babel)."""

from functools import cache, lru_cache

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
    return _formatted("whole", amount, str(amount), settings.CURRENCY, _locale())


def money_short(amount):
    """The amount in a few characters, for compact columns and reasons: "$420K"."""
    if amount in (None, ""):
        return ""
    return _formatted("short", amount, str(amount), settings.CURRENCY, _locale())


@lru_cache(maxsize=4096)
def _formatted(form, amount, text, currency, locale):
    # Babel takes some 40 µs an amount, and a page of the roadmap list shows a hundred,
    # mostly the same ones as the last time it was opened. `text` keeps 1.50 apart from 1.5.
    if form == "short":
        return format_compact_currency(amount, currency, fraction_digits=1, locale=locale)
    return format_currency(amount, currency, format="¤#,##0", currency_digits=False,
                           locale=locale)


register.filter("money", money)
register.filter("money_short", money_short)
