"""The base of the API's answer schemas."""

from ninja import Schema
from ninja.schema import DjangoGetter
from pydantic import model_validator


class Out(Schema):
    """An answer's schema (ninja's Schema, so the OpenAPI is the same) that takes a prepared
    dict as it is: pydantic checks its fields in its compiled core. ninja's own wraps every
    answer in its attribute getter, a Python call per field (4,100 per page of 100 items);
    a model instance still goes through it, resolvers and all."""

    @model_validator(mode="wrap")
    @classmethod
    def _run_root_validator(cls, values, handler, info):
        if isinstance(values, dict):
            return handler(values)
        return handler(DjangoGetter(values, cls, info.context))
