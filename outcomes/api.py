"""The readings API: a success metric's value for a product and a month. The same forms
and model rules as the readings page: a second reading for a month is a 422 naming it, a
stale correction a 409 with the reading as it is now."""

import copy
from datetime import datetime
from decimal import Decimal

from django.shortcuts import get_object_or_404
from ninja import Field, Router, Schema, responses
from ninja.pagination import paginate

from roadmap.api import ItemPagination, Named, PersonOut
from roadmap.models import EditConflict
from tokens.auth import signed_in
from whobenefits.api_errors import StaleVersion, valid_form
from whobenefits.api_forms import form_data

from .forms import CorrectionForm, ReadingFilterForm, ReadingForm, WithdrawForm
from .models import MetricReading
from .views import reading_differences

router = Router(tags=["readings"])

ADMINS_RECORD = "Admins record the product's metric readings."


class MetricOut(Named):
    side: str


class ReadingOut(Schema):
    id: int
    metric: MetricOut
    product: Named
    period: str = Field(description="The month, as 2026-11.")
    value: Decimal
    recorded_by: PersonOut
    recorded_at: datetime
    version: int

    @staticmethod
    def resolve_period(reading):
        return f"{reading.period:%Y-%m}"


def _reloaded(pk):
    return MetricReading.objects.for_list().get(pk=pk)


@router.get("/readings", response=list[ReadingOut],
            auth=signed_in("outcomes.view_metricreading"))
@paginate(ItemPagination)
def list_readings(request, product: int | None = None, metric: int | None = None):
    """The readings by product and metric, newest month first; `product` and `metric` (ids)
    narrow them."""
    filters = valid_form(ReadingFilterForm(request.GET))
    return filters.filter(MetricReading.objects.for_list())


class ReadingIn(Schema):
    metric: int
    product: int
    period: str = Field(description="The month, as 2026-11.")
    value: Decimal


@router.post("/readings", response={201: ReadingOut},
             auth=signed_in("outcomes.add_metricreading", ADMINS_RECORD))
def create_reading(request, reading: ReadingIn):
    """Record a reading; one already recorded for the month is refused (correct it)."""
    form = valid_form(ReadingForm(form_data(reading.dict())))
    created = MetricReading.record(**form.cleaned_data, recorded_by=request.user)
    return responses.Status(201, _reloaded(created.pk))


@router.get("/readings/{pk}", response=ReadingOut,
            auth=signed_in("outcomes.view_metricreading"))
def get_reading(request, pk: int):
    return get_object_or_404(MetricReading.objects.for_list(), pk=pk)


class CorrectionIn(Schema):
    value: Decimal
    version: int = Field(description="The reading's version when you read it.")
    reason: str = Field("", description="Why it changes, for the audit trail.")


def _refuse_stale(conflict, yours):
    current = conflict.current
    raise StaleVersion(ReadingOut.model_validate(_reloaded(current.pk)),
                       reading_differences(current, yours)) from None


@router.put("/readings/{pk}", response=ReadingOut,
            auth=signed_in("outcomes.change_metricreading", ADMINS_RECORD))
def correct_reading(request, pk: int, correction: CorrectionIn):
    """Correct the value; a stale `version` is a 409 with the reading as it is now."""
    reading = get_object_or_404(MetricReading.objects.select_related("metric"), pk=pk)
    form = valid_form(CorrectionForm(form_data(correction.dict()), metric=reading.metric))
    try:
        copy.copy(reading).correct(value=form.cleaned_data["value"],
                                   expected_version=form.cleaned_data["version"],
                                   corrected_by=request.user, reason=form.cleaned_data["reason"])
    except EditConflict as conflict:
        _refuse_stale(conflict, form.cleaned_data["value"])
    return _reloaded(pk)


@router.delete("/readings/{pk}", response={204: None},
               auth=signed_in("outcomes.delete_metricreading", ADMINS_RECORD))
def withdraw_reading(request, pk: int, version: int, reason: str = ""):
    """Withdraw the reading (the audit trail keeps it); `version` is the reading's when you
    read it."""
    reading = get_object_or_404(MetricReading, pk=pk)
    form = valid_form(WithdrawForm(form_data({"version": version, "reason": reason})))
    try:
        reading.withdraw(expected_version=form.cleaned_data["version"],
                         withdrawn_by=request.user, reason=form.cleaned_data["reason"])
    except EditConflict as conflict:
        _refuse_stale(conflict, reading.value)
    return responses.Status(204, None)


