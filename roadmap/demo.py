"""The demo content seed_demo creates, found again and removed, leaving what people made.

Demo content is what seed_demo created: its names, created by no one (a command) and for
no stated reason, as the audit trail records them. An item someone added through a page,
the admin or an import is never demo content, even with a demo title. A demo persona,
metric or product that content people made still names stays, and the summary says why.
"""

from dataclasses import dataclass, field

from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import Exists, OuterRef, Q

from personas.models import Persona, SuccessMetric

from . import extensions
from .models import Product, RoadmapItem, TriageMetric

REASON = "Demo content removed"


def _seeded(model, **names):
    """Objects of `model` matching `names` whose creation no person made and no import."""
    created_by_seed = model.history.filter(
        id=OuterRef("pk"), history_type="+", history_user__isnull=True,
    ).filter(Q(history_change_reason__isnull=True) | Q(history_change_reason=""))
    return model.objects.filter(**names).filter(Exists(created_by_seed))


def demo_products():
    """The products seed_demo created, whatever items people added to them since."""
    from .management.commands.seed_demo import ITEMS

    return _seeded(Product, name__in={product for product, *_ in ITEMS})


@dataclass
class DemoContent:
    items: list
    products: list
    personas: list
    metrics: list
    logins: list
    kept: list = field(default_factory=list)
    # None: all of the demo content (the command), not the admin action's few products.
    scope: list | None = None
    also_removed: list = field(default_factory=list)

    @classmethod
    def find(cls, products=None, logins=True):
        """The demo content; in `products` only, when given (the admin action)."""
        from .management.commands.seed_demo import DEMO_LOGINS, ITEMS, METRICS, PAST, PERSONAS

        pairs = {(product, title) for product, title, *_ in [*ITEMS, *PAST]}
        items = _seeded(RoadmapItem, title__in={t for _, t in pairs}).select_related("product")
        if products is not None:
            items = items.filter(product__in=products)
        seeded_products = demo_products()
        if products is not None:
            seeded_products = seeded_products.filter(pk__in=[p.pk for p in products])
        people = []
        if logins:
            for person in get_user_model().objects.filter(
                    username__in=[u for u, *_ in DEMO_LOGINS], is_active=True):
                password = next(p for u, p, *_ in DEMO_LOGINS if u == person.username)
                if person.check_password(password):  # a password changed: someone's own now
                    people.append(person)
        return cls(
            items=[i for i in items if (i.product.name, i.title) in pairs],
            products=list(seeded_products),
            personas=list(_seeded(Persona, name__in=[p[0] for p in PERSONAS])),
            metrics=list(_seeded(SuccessMetric, name__in=[m[0] for m in METRICS])),
            logins=people, scope=products,
        )

    def remove(self, *, by):
        """Remove it all in one transaction, each removal on the audit trail as `by`'s."""
        removed = {"items": 0, "products": 0, "personas": 0, "metrics": 0, "logins": 0}
        with transaction.atomic():
            for extension in extensions.registered():  # what higher apps seeded (evidence)
                self.also_removed += extension.remove_demo(self, by=by)
            for item in self.items:
                for answer in (item.current_review(), item.current_triage()):
                    if answer is not None:
                        _delete(answer, by)
                _delete(item, by)
                removed["items"] += 1
            for product in self.products:
                if product.items.exists():
                    self.kept.append(f"Product {product.name}: it has items people added.")
                else:
                    _delete(product, by)
                    removed["products"] += 1
            for persona in self.personas:
                if (persona.requested_items.exists() or persona.primary_for.exists()
                        or persona.indirect_for.exists()):
                    self.kept.append(f"Persona {persona.name}: items people added name it.")
                elif persona.is_in_use():  # what a higher app's rows name (evidence notes)
                    self.kept.append(f"Persona {persona.name}: what people added names it.")
                else:
                    _delete(persona, by)
                    removed["personas"] += 1
            for metric in self.metrics:
                if TriageMetric.objects.filter(metric=metric).exists() or metric.personas.exists():
                    self.kept.append(f"Success metric {metric.name}: people's items or "
                                     "personas name it.")
                else:
                    _delete(metric, by)
                    removed["metrics"] += 1
            for person in self.logins:
                person.is_active = False
                person.set_unusable_password()
                person._history_user, person._change_reason = by, REASON
                person.save()
                removed["logins"] += 1
        return removed


def _delete(obj, by):
    obj._history_user, obj._change_reason = by, REASON
    obj.delete()


NOUNS = {"items": ("item", "items"), "products": ("product", "products"),
         "personas": ("persona", "personas"), "metrics": ("success metric", "success metrics"),
         "logins": ("demo login deactivated", "demo logins deactivated")}


def describe(removed, kept, also=()):
    """One line a person reads: what went (`also`: what higher apps removed, in words),
    then what stayed and why."""
    parts = [f"{count} {NOUNS[name][count != 1]}" for name, count in removed.items()
             if count or name == "items"] + list(also)
    line = "Removed the demo content: " + ", ".join(parts) + "."
    return line + ("" if not kept else " Kept: " + " ".join(kept))


