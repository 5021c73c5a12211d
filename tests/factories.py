"""Small factories for test data. Call the make_* functions; they read like the domain."""

import factory
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group

from personas.models import BuiltInArchetype, Persona, Side, SuccessMetric
from roadmap import roles
from roadmap.models import Product, RoadmapItem


class PersonWithRoleFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"person{n}")
    first_name = factory.Faker("first_name")
    last_name = factory.Faker("last_name")
    password = factory.django.Password("a-long-test-password")

    @factory.post_generation
    def role(self, create, role, **kwargs):
        if create and role:
            self.groups.add(Group.objects.get(name=role))
            if role == roles.ADMIN:
                self.is_staff = True
                self.save(update_fields=["is_staff"])


class SuccessMetricFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = SuccessMetric

    name = factory.Sequence(lambda n: f"Metric {n}")
    side = Side.CUSTOMER


class PersonaFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Persona

    name = factory.Sequence(lambda n: f"Persona {n}")
    side = Side.CUSTOMER
    archetype_id = factory.LazyAttribute(
        lambda p: BuiltInArchetype.BUYER if p.side == Side.CUSTOMER else BuiltInArchetype.END_USER
    )
    description = "A persona made for a test."


class ProductFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Product

    name = factory.Sequence(lambda n: f"Product {n}")


class RoadmapItemFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = RoadmapItem

    product = factory.SubFactory(ProductFactory)
    title = factory.Sequence(lambda n: f"Roadmap item {n}")
    request_quote = "Please make this better."


def make_person(role=None, **fields):
    return PersonWithRoleFactory(role=role, **fields)


def make_persona(side=Side.CUSTOMER, **fields):
    return PersonaFactory(side=side, **fields)


def make_personas(count, side=Side.CUSTOMER):
    return PersonaFactory.create_batch(count, side=side)


def make_metric(side=Side.CUSTOMER, **fields):
    return SuccessMetricFactory(side=side, **fields)


def make_product(**fields):
    return ProductFactory(**fields)


def make_item(**fields):
    return RoadmapItemFactory(**fields)


def triage(item, primary, *, by, whose_problem=None, value="", indirect=(), metrics=()):
    """Record a triage answer for `item` the way a PM's save does."""
    primary = list(primary)
    return item.record_triage(
        primary_beneficiaries=primary,
        whose_problem=whose_problem or (primary[0].only_side if primary else None) or Side.CUSTOMER,
        value_for_other_side=value, indirect_beneficiaries=indirect, metrics=metrics,
        triaged_by=by, expected_version=item.version,
    )


def review_item(item, verdict, comment, lead):
    """Record a team lead's review of `item` as it is in the database now."""
    item.refresh_from_db()
    review = item.current_review()
    return item.record_review(
        verdict=verdict, comment=comment, reviewed_by=lead, expected_version=item.version,
        expected_review_version=review.version if review else 0,
    )


def import_file(data, product, *, by=None, source="", file_name="backlog.csv", mapping=None,
                preview=True, commit=True, skip_errors=False, kind="items"):
    """Read, map, preview and import `data` as the Import pages do, running each step here
    instead of in the worker; stop before the preview or the commit with preview=False or
    commit=False. `mapping` changes the proposed one."""
    from imports.models import BacklogImport

    backlog_import = BacklogImport.start(data=data, file_name=file_name, product=product,
                                         source=source, created_by=by, kind=kind)
    backlog_import.analyse()
    for key, value in (mapping or {}).items():
        if isinstance(value, dict):
            backlog_import.mapping.setdefault(key, {}).update(value)
        else:
            backlog_import.mapping[key] = value
    backlog_import.save()
    if not preview:
        return backlog_import
    backlog_import.preview()
    if commit:
        backlog_import.skip_errors = skip_errors
        backlog_import.create_products = True
        backlog_import.status = BacklogImport.State.IMPORTING
        backlog_import.save()
        backlog_import.commit()
    return backlog_import


def make_company(name=None, **fields):
    from evidence.models import Company

    return Company.objects.create(name=name or f"Company {Company.objects.count() + 1}",
                                  **fields)


def make_note(persona, *, by, items=(), text="We need this.", **fields):
    """Record an evidence note the way the quick-add does."""
    from evidence.models import Evidence

    return Evidence.record(recorded_by=by, items=items, text=text, persona=persona, **fields)


def make_reading(metric, product, period, value, *, by):
    """Record a metric reading the way the readings page does; `period` a date or "2026-11"."""
    from datetime import date

    from outcomes.models import MetricReading

    if isinstance(period, str):
        period = date.fromisoformat(f"{period}-01")
    return MetricReading.record(metric=metric, product=product, period=period, value=value,
                                recorded_by=by)


def make_round(raters, items, *, by, name="Q3 calibration"):
    """Start a calibration round the way the team lead's form does."""
    from calibration.models import Round

    return Round.start(name=name, raters=raters, items=items, started_by=by)


def answer_round(round, rater, item, primary, *, whose_problem=None, value=""):
    """Record `rater`'s blind answer to `item` in `round`, as the round's queue does."""
    primary = list(primary)
    return round.record_answer(
        rater=rater, item=item, primary_beneficiaries=primary,
        whose_problem=whose_problem or primary[0].only_side or Side.CUSTOMER,
        value_for_other_side=value)
