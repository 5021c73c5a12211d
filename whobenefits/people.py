"""How the app names a person (a user account) wherever it shows one."""


def person_label(person):
    """The full name, or the username when the account has no name."""
    return person.get_full_name() or person.get_username()
