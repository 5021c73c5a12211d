"""The API's one error shape, `{"detail": "...", "errors": {"field": ["message"]}}`, and the
refusals the routers raise: a form's errors (422) and a stale version (409).

whobenefits/api.py turns every exception into that shape; the routers of the apps raise
these, so a rule's message is the form's, word for word, as on the pages.
"""

from django.forms import Form
from ninja import Schema

# The pages' refusal shows a comparison below the form; a client reading JSON needs to be
# told where the current state is and how to replace it on purpose.
STALE_MESSAGE = (
    "Someone else saved this since you read it, so your change was not saved. "
    "`current` is how it is now and `differences` what your change would replace: "
    "fetch it again (or take `current`), then resend your change with its current "
    "`version` to replace what they saved."
)


class InvalidInput(Exception):
    """Input a form (or a model rule) refused: 422 with every field's messages."""

    def __init__(self, errors, detail=None):
        self.errors = errors
        self.detail = detail or describe(errors)
        super().__init__(self.detail)

    @classmethod
    def from_form(cls, form: Form):
        return cls({name: [str(message) for message in messages]
                    for name, messages in form.errors.items()})

    @classmethod
    def from_validation_error(cls, error):
        """A model's ValidationError: field messages, or messages about the whole input."""
        if hasattr(error, "error_dict"):
            return cls({name: [m for e in errors for m in e.messages]
                        for name, errors in error.error_dict.items()})
        return cls({"__all__": error.messages})


def describe(errors):
    """The detail line: the messages about the whole input, else which fields are wrong."""
    whole = errors.get("__all__")
    if whole:
        return " ".join(whole)
    return f"Check {', '.join(sorted(errors))}: see the errors for each field."


def valid_form(form):
    """The form, validated; InvalidInput with its errors otherwise."""
    if not form.is_valid():
        raise InvalidInput.from_form(form)
    return form


class StaleVersion(Exception):
    """A write named an old version: 409 with the thing as it is now and what differs.

    `current` is the body of the current state (a schema instance or dict); `differences`
    the rows of roadmap.history's functions, (label, saved now, yours).
    """

    def __init__(self, current, differences):
        self.current = current
        self.differences = [{"field": label, "saved": saved, "yours": yours}
                            for label, saved, yours in differences]
        super().__init__(STALE_MESSAGE)


def error_body(detail, errors=None, **more):
    return {"detail": detail, "errors": errors or {}, **more}


class ErrorOut(Schema):
    """Every refusal's body; a 409 adds `current` (the state now) and `differences`."""

    detail: str
    errors: dict[str, list[str]] = {}


# What any operation may answer instead: whobenefits.api documents them on every one, so
# the schema is the whole truth.
REFUSALS = [400, 401, 403, 404, 405, 409, 413, 422, 429]
