"""How the app writes a number wherever it shows one (money aside: evidence's `money`).

At most two decimals, none when the number is whole, digits grouped in the active language's
way: a reading of 120000.00 is "120,000", a kappa of 0.6666666666666666 is "0.67". Code
calls `number_label(value)`; templates the built-in `number` filter: `{{ reading.value|number }}`.
"""

from django import template
from django.template.defaultfilters import floatformat

register = template.Library()


def number_label(value):
    return str(floatformat(value, "-2g"))


@register.filter
def number(value):
    """A number's label, or "" when there is none."""
    return "" if value in (None, "") else number_label(value)
