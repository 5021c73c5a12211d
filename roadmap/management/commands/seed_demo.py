"""Demo content for a first look: personas, metrics, products, ~30 items, one login per role.

Idempotent: what exists is left as it is, what is missing is created.
"""

from datetime import datetime, time, timedelta

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils import timezone

from personas.models import BuiltInArchetype as Archetype
from personas.models import Persona, Side, SuccessMetric
from roadmap import extensions, roles
from roadmap.demo import DemoContent, describe
from roadmap.models import (
    BalanceTarget,
    Horizon,
    Product,
    Review,
    RoadmapItem,
    Status,
    Triage,
)
from roadmap.quarters import Quarter

C, U = Side.CUSTOMER, Side.USER

DEMO_LOGINS = [
    # username, password, role, full name
    ("pm", "demo-pm-2026", roles.PRODUCT_MANAGER, "Priya Menon"),
    ("pm2", "demo-pm2-2026", roles.PRODUCT_MANAGER, "Marco Rossi"),
    ("lead", "demo-lead-2026", roles.TEAM_LEAD, "Lena Schmidt"),
    ("admin", "demo-admin-2026", roles.ADMIN, "Ada Okafor"),
]

METRICS = [
    ("Revenue", C, "New and recurring revenue from the account."),
    ("Renewal rate", C, "Share of contracts renewed at term."),
    ("Expansion revenue", C, "More seats, more modules, higher tiers."),
    ("Customer lifetime value", C, "What an account is worth over its whole life."),
    ("Daily active users", U, "People who work in the product on a given day."),
    ("Feature adoption", U, "Share of people who use a feature after it ships."),
    ("Retention", U, "People who keep coming back week after week."),
    ("Task completion", U, "Share of started tasks finished without help."),
]
# The metrics above read in percent (0 to 100); the others are amounts and counts.
SHARES = {"Renewal rate", "Feature adoption", "Retention", "Task completion"}

PERSONAS = [
    # name, side, archetype, description, concerns, metrics
    ("Economic buyer", C, Archetype.BUYER,
     "The VP of Finance who signs the contract and owns the budget.",
     "Cost, return on investment, predictable billing.", ["Revenue", "Customer lifetime value"]),
    ("Compliance officer", C, Archetype.DECISION_MAKER,
     "Approves the purchase after the security and compliance review.",
     "Audit trail, data residency, certifications.", ["Renewal rate"]),
    ("IT administrator", C, Archetype.ADMINISTRATOR,
     "Runs the product for the company: accounts, access, integrations.",
     "Single sign-on, provisioning, admin controls.", ["Renewal rate", "Expansion revenue"]),
    ("Finance champion", C, Archetype.CHAMPION,
     "The controller who argued for buying and reports on its value.",
     "Organisational visibility, reports for leadership.",
     ["Expansion revenue", "Customer lifetime value"]),
    ("Field employee", U, Archetype.END_USER,
     "Submits expenses from a phone between customer visits.",
     "Speed, few steps, works offline.", ["Daily active users", "Task completion"]),
    ("Accountant", U, Archetype.POWER_USER,
     "Reconciles and books hundreds of expenses every day.",
     "Keyboard shortcuts, bulk actions, no duplicate entry.",
     ["Task completion", "Feature adoption"]),
    ("Approving manager", U, Archetype.END_USER,
     "Approves the team's expenses, usually from email.",
     "Approve in one click, clear policy flags.", ["Retention", "Task completion"]),
    ("Occasional submitter", U, Archetype.OCCASIONAL_USER,
     "Files two expense reports a year and forgets how each time.",
     "Obvious next step, nothing to learn.", ["Feature adoption", "Retention"]),
]

PRODUCTS = [
    ("Expenses", "Capturing, submitting and approving expenses."),
    ("Invoicing", "Sending invoices and collecting payments."),
    ("Platform", "Accounts, access, integrations and administration."),
]

# product, title, request quote, requesting persona, status, horizon, effort, owner, triage
# triage: (primary personas, whose problem, value for the other side, indirect, metrics)
ITEMS = [
    ("Platform", "Single sign-on with SAML", "We cannot roll this out without SSO.",
     "IT administrator", Status.PLANNED, Horizon.NOW, 8, "pm",
     (["IT administrator", "Compliance officer"], C,
      "Passing the security review keeps the renewal, which keeps everyone's access; "
      "people also stop juggling another password.", ["Field employee"], ["Renewal rate"])),
    ("Platform", "Audit log export", "Our auditors need every change in a spreadsheet.",
     "Compliance officer", Status.PLANNED, Horizon.NOW, 5, "pm",
     (["Compliance officer"], C, "", [], ["Renewal rate"])),
    ("Platform", "SCIM user provisioning", "Onboarding 400 people by hand is not an option.",
     "IT administrator", Status.IDEA, Horizon.NEXT, 8, "pm2",
     (["IT administrator"], C,
      "New hires can submit expenses on day one instead of waiting for an account.",
      ["Field employee", "Occasional submitter"], ["Expansion revenue", "Daily active users"])),
    ("Platform", "Role-based admin permissions", "Regional admins should only see their region.",
     "IT administrator", Status.IDEA, Horizon.NEXT, 5, "pm2",
     (["IT administrator", "Economic buyer"], C, "", [], ["Expansion revenue"])),
    ("Platform", "Data residency in the EU", "Legal will not sign without EU hosting.",
     "Compliance officer", Status.IDEA, Horizon.LATER, 13, "pm", None),
    ("Platform", "Usage report for leadership", "Show me who uses it, by department.",
     "Finance champion", Status.IN_PROGRESS, Horizon.NOW, 3, "pm",
     (["Finance champion", "Economic buyer"], C,
      "Low-adoption teams get noticed and trained, so their people get more out of it.",
      ["Occasional submitter"], ["Customer lifetime value", "Feature adoption"])),
    ("Platform", "Two-factor authentication for all", "", None, Status.SHIPPED, Horizon.NOW, 3,
     "pm2", (["Compliance officer", "Field employee"], C, "", [], ["Renewal rate"])),
    ("Platform", "Slack notifications", "Tell me in Slack when something needs my approval.",
     "Approving manager", Status.IDEA, Horizon.LATER, 3, "pm2", None),
    ("Platform", "Custom fields on expense types", "We track cost centres our own way.",
     "Finance champion", Status.IDEA, Horizon.LATER, 5, "pm", None),
    ("Platform", "Billing by active seat", "We pay for people who never log in.",
     "Economic buyer", Status.IDEA, Horizon.NEXT, 8, "pm",
     (["Economic buyer"], C, "", [], ["Revenue"])),
    ("Expenses", "Receipt capture from the camera", "Let me snap the receipt and be done.",
     "Field employee", Status.SHIPPED, Horizon.NOW, 5, "pm",
     (["Field employee", "Occasional submitter"], U,
      "Faster submission means cleaner books and fewer reminders, which the buyer sees as "
      "return on the licence.", ["Economic buyer"], ["Daily active users", "Task completion"])),
    ("Expenses", "Keyboard shortcuts for reconciliation", "I do this 300 times a day.",
     "Accountant", Status.PLANNED, Horizon.NOW, 3, "pm",
     (["Accountant"], U, "Month-end closes two days earlier, which the controller reports.",
      ["Finance champion"], ["Task completion", "Customer lifetime value"])),
    ("Expenses", "Offline mode on mobile", "No signal on the train, so I lose my draft.",
     "Field employee", Status.IDEA, Horizon.NEXT, 13, "pm2",
     (["Field employee"], U, "", [], ["Daily active users"])),
    ("Expenses", "Approve from email in one click", "I approve everything from my inbox anyway.",
     "Approving manager", Status.PLANNED, Horizon.NOW, 5, "pm2",
     (["Approving manager"], U, "", [], ["Task completion"])),
    ("Expenses", "Policy violations flagged before submit", "Tell me before, not after.",
     "Field employee", Status.IN_PROGRESS, Horizon.NOW, 5, "pm",
     (["Field employee", "Compliance officer"], U, "", [], ["Task completion", "Renewal rate"])),
    ("Expenses", "Mileage from a map route", "Typing kilometres by hand is error-prone.",
     "Field employee", Status.IDEA, Horizon.LATER, 5, "pm", None),
    ("Expenses", "Bulk edit of expense categories", "Fixing 40 lines one by one takes an hour.",
     "Accountant", Status.IDEA, Horizon.NEXT, 3, "pm2",
     (["Accountant"], U, "", [], ["Task completion"])),
    ("Expenses", "Duplicate receipt detection", "The same receipt gets paid twice.",
     "Finance champion", Status.PLANNED, Horizon.NEXT, 8, "pm",
     (["Finance champion", "Accountant"], C, "", [], ["Revenue", "Task completion"])),
    ("Expenses", "Guided first expense report", "I never remember how this works.",
     "Occasional submitter", Status.IDEA, Horizon.LATER, 3, "pm2", None),
    ("Expenses", "Per diem rates by country", "", None, Status.IDEA, Horizon.LATER, None, "pm",
     None),
    ("Expenses", "Dark mode", "My eyes hurt after a day of reconciliation.", "Accountant",
     Status.IDEA, Horizon.LATER, 2, "pm2", (["Accountant"], U, "", [], [])),
    ("Invoicing", "Recurring invoices", "We bill the same customers every month.",
     "Accountant", Status.PLANNED, Horizon.NOW, 5, "pm",
     (["Accountant", "Economic buyer"], U, "", [], ["Task completion", "Expansion revenue"])),
    ("Invoicing", "Payment reminders", "Chasing late payers is my least favourite job.",
     "Accountant", Status.IN_PROGRESS, Horizon.NOW, 3, "pm2",
     (["Accountant"], U, "Cash comes in sooner, which the buyer sees on the dashboard.",
      ["Economic buyer"], ["Task completion", "Revenue"])),
    ("Invoicing", "Invoice approval workflow", "Nothing leaves without a second pair of eyes.",
     "Compliance officer", Status.IDEA, Horizon.NEXT, 8, "pm",
     (["Compliance officer"], C, "", [], ["Renewal rate"])),
    ("Invoicing", "Multi-currency invoices", "Half our customers pay in dollars.",
     "Economic buyer", Status.PLANNED, Horizon.NEXT, 8, "pm2",
     (["Economic buyer", "Accountant"], C, "", [], ["Expansion revenue", "Task completion"])),
    ("Invoicing", "Branded invoice templates", "Invoices should look like us.",
     "Finance champion", Status.IDEA, Horizon.LATER, 3, "pm", None),
    ("Invoicing", "Revenue forecast report", "The board asks what is coming in next quarter.",
     "Economic buyer", Status.IDEA, Horizon.NEXT, 5, "pm",
     (["Economic buyer", "Finance champion"], C,
      "Forecasts justify the budget that keeps the team on the product.",
      ["Accountant"], ["Customer lifetime value"])),
    ("Invoicing", "Faster invoice search", "Finding an old invoice takes forever.",
     "Accountant", Status.IDEA, Horizon.LATER, 2, "pm2", None),
    ("Invoicing", "Customer payment portal", "Let our customers pay by card.",
     "Economic buyer", Status.IDEA, Horizon.LATER, 13, "pm", None),
    ("Invoicing", "Dunning emails stop double-sending", "", None, Status.DROPPED,
     Horizon.LATER, 1, "pm2", None),
]


# Shipped in the last seven quarters, so plan against reality has a history to show: product,
# title, quarters ago it shipped, planned a quarter earlier (it slipped), effort, owner, the
# personas of its triage when planned, and when shipped if it was re-triaged on the way.
PAST = [
    ("Expenses", "Expense export to CSV", 7, False, 3, "pm", ["Accountant"], None),
    ("Platform", "Password policy settings", 7, False, 3, "pm2", ["IT administrator"], None),
    ("Expenses", "Receipt reminders by push", 6, True, 3, "pm", ["Field employee"], None),
    ("Invoicing", "Invoice numbering rules", 6, False, 2, "pm2", ["Compliance officer"],
     ["Compliance officer", "Accountant"]),
    ("Platform", "Admin console for departments", 5, False, 5, "pm", ["IT administrator"],
     None),
    ("Expenses", "Approval delegation during holidays", 5, False, 3, "pm2",
     ["Approving manager", "Finance champion"], None),
    ("Invoicing", "Late fee rules", 4, False, 3, "pm", ["Economic buyer"], None),
    ("Platform", "Access review report", 4, True, 5, "pm2", ["Compliance officer"], None),
    ("Expenses", "Split an expense across projects", 3, False, 3, "pm",
     ["Accountant", "Finance champion"], ["Accountant"]),
    ("Platform", "Spend dashboard for executives", 3, False, 5, "pm2", ["Economic buyer"],
     None),
    ("Invoicing", "Credit notes", 2, False, 3, "pm", ["Accountant", "Economic buyer"], None),
    ("Platform", "IP allow-list", 2, True, 3, "pm2", ["IT administrator"], None),
    ("Expenses", "Faster receipt upload", 1, False, 2, "pm", ["Field employee"],
     ["Field employee", "Economic buyer"]),
    ("Platform", "Contract renewal report", 1, False, 3, "pm2", ["Economic buyer"], None),
]

# Targets for the current quarter that the demo roadmap misses (more "both", fewer
# one-sided items than its plan has).
DEMO_TARGETS = {"min_both_share": 40, "max_customers_share": 30, "max_users_share": 30,
                "min_customer_effort_share": 50, "min_user_effort_share": 50}


# The PM's customer value and user value (0-3) on triaged items, for the value map.
VALUES = {
    "Single sign-on with SAML": (3, 2), "Audit log export": (2, 0),
    "SCIM user provisioning": (2, 1), "Role-based admin permissions": (2, 0),
    "Usage report for leadership": (2, 1), "Two-factor authentication for all": (2, 1),
    "Billing by active seat": (3, 0), "Receipt capture from the camera": (1, 3),
    "Keyboard shortcuts for reconciliation": (1, 3), "Offline mode on mobile": (1, 3),
    "Approve from email in one click": (0, 2), "Policy violations flagged before submit": (2, 2),
    "Bulk edit of expense categories": (0, 2), "Duplicate receipt detection": (2, 2),
    "Dark mode": (0, 1), "Recurring invoices": (2, 2), "Payment reminders": (1, 2),
    "Invoice approval workflow": (1, 1), "Multi-currency invoices": (3, 2),
    "Revenue forecast report": (2, 0),
}

# A team lead's first look: title, verdict, comment.
REVIEWS = [
    ("Single sign-on with SAML", Review.Verdict.ACCEPTED, ""),
    ("Audit log export", Review.Verdict.CHALLENGED,
     "Customers only with no value stated for users: who besides the auditors gains from "
     "this, and does it cost the people who tag every day anything?"),
]


class Command(BaseCommand):
    help = ("Create the demo personas, metrics, products, roadmap items and logins (idempotent);"
            " --remove takes them out again.")

    def add_arguments(self, parser):
        parser.add_argument(
            "--remove", action="store_true",
            help="Remove the demo content (and deactivate the demo logins whose password is "
                 "still the demo one), keeping everything people created.")

    @transaction.atomic
    def handle(self, *args, remove=False, **options):
        if remove:
            demo = DemoContent.find()
            self.stdout.write(describe(demo.remove(by=None), demo.kept, demo.also_removed))
            return
        people = self.seed_logins()
        metrics = self.seed_metrics()
        personas = self.seed_personas(metrics)
        products = self.seed_products()
        created = self.seed_items(products, personas, metrics, people)
        created += self.seed_past_quarters(products, personas, people)
        self.seed_reviews(people["lead"])
        self.seed_targets()
        self.stdout.write(self.style.SUCCESS(
            f"Demo data ready: {len(personas)} personas, {len(metrics)} metrics, "
            f"{len(products)} products, {len(ITEMS) + len(PAST)} roadmap items ({created} new)."
        ))
        for extension in extensions.registered():  # what higher apps add (evidence)
            extension.seed_demo(self)
        for username, password, role, _ in DEMO_LOGINS:
            self.stdout.write(f"  {role:<16} {username} / {password}")

    def seed_logins(self):
        User = get_user_model()
        people = {}
        for username, password, role, full_name in DEMO_LOGINS:
            first, last = full_name.split(" ", 1)
            person, created = User.objects.get_or_create(
                username=username,
                defaults={"first_name": first, "last_name": last, "is_staff": role == roles.ADMIN,
                          "email": f"{username}@example.com"},
            )
            if created:
                person.set_password(password)
                person.save(update_fields=["password"])
                person.groups.add(Group.objects.get(name=role))
            people[username] = person
        return people

    def seed_metrics(self):
        return {
            name: SuccessMetric.objects.get_or_create(
                name=name, defaults={"side": side, "description": description, "order": order,
                                     "kind": SuccessMetric.Kind.SHARE if name in SHARES
                                     else SuccessMetric.Kind.AMOUNT},
            )[0]
            for order, (name, side, description) in enumerate(METRICS)
        }

    def seed_personas(self, metrics):
        personas = {}
        for order, (name, side, archetype, description, concerns, watched) in enumerate(PERSONAS):
            persona, created = Persona.objects.get_or_create(name=name, defaults={
                "side": side, "archetype_id": archetype, "description": description,
                "concerns": concerns, "order": order,
            })
            if created:
                persona.metrics.set([metrics[m] for m in watched])
            personas[name] = persona
        return personas

    def seed_products(self):
        return {
            name: Product.objects.get_or_create(name=name, defaults={"description": description})[0]
            for name, description in PRODUCTS
        }

    def seed_items(self, products, personas, metrics, people):
        created_count = 0
        for product, title, quote, requester, status, horizon, effort, owner, triage in ITEMS:
            item, created = RoadmapItem.objects.get_or_create(
                product=products[product], title=title,
                defaults={
                    "request_quote": quote, "status": status, "horizon": horizon,
                    "effort": effort, "owner": people[owner],
                    "requesting_persona": personas.get(requester),
                    "target_quarter": QUARTER_OF_HORIZON.get(horizon, lambda: "")(),
                },
            )
            if created and triage:
                primary, whose_problem, value, indirect, picked_metrics = triage
                item.record_triage(
                    primary_beneficiaries=[personas[p] for p in primary],
                    whose_problem=whose_problem, value_for_other_side=value,
                    indirect_beneficiaries=[personas[p] for p in indirect],
                    metrics=[metrics[m] for m in picked_metrics],
                    customer_value=VALUES.get(title, (None, None))[0],
                    user_value=VALUES.get(title, (None, None))[1],
                    triaged_by=people[owner], expected_version=item.version,
                )
            created_count += created
        return created_count

    def seed_reviews(self, lead):
        for title, verdict, comment in REVIEWS:
            item = RoadmapItem.objects.select_related("triage", "review").get(title=title)
            if item.current_review() is None:
                item.record_review(verdict=verdict, comment=comment, reviewed_by=lead,
                                   expected_version=item.version, expected_review_version=0)

    def seed_past_quarters(self, products, personas, people):
        """The PAST items, each with the history it would have had: planned (and triaged)
        three weeks before its quarter began, moved on if it slipped, re-triaged, shipped in
        the middle of its quarter. Only for items this run creates."""
        current, created_count = Quarter.current(), 0
        for product, title, ago, slipped, effort, owner, planned, shipped_as in PAST:
            quarter = current.last(ago + 1)[0]
            planned_for = quarter.previous() if slipped else quarter
            pm = people[owner]
            item, created = RoadmapItem.objects.get_or_create(
                product=products[product], title=title,
                defaults={"status": Status.PLANNED, "horizon": Horizon.NOW, "effort": effort,
                          "owner": pm, "target_quarter": str(planned_for)})
            if not created:
                continue
            created_count += 1
            moments = [_moment(planned_for.first_day - timedelta(days=21))]
            self._triage(item, [personas[p] for p in planned], pm)
            if slipped:
                item.target_quarter = str(quarter)
                item.save()
                moments.append(_moment(planned_for.first_day + timedelta(days=40)))
            shipped_on = quarter.first_day + timedelta(days=45)
            triage_moments = moments[:1]
            if shipped_as:
                self._triage(item, [personas[p] for p in shipped_as], pm)
                triage_moments.append(_moment(shipped_on - timedelta(days=7)))
            item.status, item.shipped_on = Status.SHIPPED, shipped_on
            item.save()
            moments.append(_moment(shipped_on))
            _date_history(item.history.all(), moments)
            _date_history(Triage.history.filter(item_id=item.pk), triage_moments)
            RoadmapItem.objects.filter(pk=item.pk).update(created_at=moments[0])
        return created_count

    def _triage(self, item, primary, pm):
        item.refresh_from_db(fields=["version"])
        item.record_triage(primary_beneficiaries=primary, triaged_by=pm,
                           whose_problem=primary[0].side, expected_version=item.version)

    def seed_targets(self):
        """The current quarter's own targets, which the demo plan misses."""
        quarter = str(Quarter.current())
        if not BalanceTarget.objects.filter(quarter=quarter).exists():
            BalanceTarget(quarter=quarter).save_shares(DEMO_TARGETS, expected_version=None,
                                                       set_by=None)


# A demo item in now or next is planned for this quarter or the next.
QUARTER_OF_HORIZON = {Horizon.NOW: lambda: str(Quarter.current()),
                      Horizon.NEXT: lambda: str(Quarter.current().next())}


def _moment(day):
    return timezone.make_aware(datetime.combine(day, time(10)))


def _date_history(records, moments):
    """Give `records` (oldest first) the dates in `moments`: history as it would have been."""
    for record, moment in zip(records.order_by("history_date", "history_id"), moments,
                              strict=True):
        type(record).objects.filter(history_id=record.history_id).update(history_date=moment)
