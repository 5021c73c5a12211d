"""How the app names a person (a user account) wherever it shows one.

Templates use the same rule through the built-in `person` filter:
`{{ item.owner|person:"nobody" }}`.
"""

from django import template

register = template.Library()


def person_label(person):
    """The full name, or the username when the account has no name."""
    return person.get_full_name() or person.get_username()


@register.filter
def person(person, nobody=""):
    """A person's label, or `nobody` when there is no one."""
    return person_label(person) if person else nobody
