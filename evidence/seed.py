"""Demo evidence for seed_demo: a dozen companies and about 60 notes on both sides.

Built so the evidence pages have something to say: two items whose tag disagrees with
their evidence ("Approve from email in one click" and "Invoice approval workflow"), one
renewal at risk (Northwind Logistics asks only for later, untriaged work) and one archetype
nobody heard from lately (the champion). Dates are relative to today, so the renewals and
the listening window stay current. Idempotent: what exists is left as it is.
"""

from datetime import timedelta
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.utils import timezone

from personas.models import Persona
from roadmap.models import RoadmapItem

from .models import Company, Evidence, EvidenceLink, ItemDemand, Segment, Source

E, M, S = Segment.ENTERPRISE, Segment.MID_MARKET, Segment.SMALL_BUSINESS

COMPANIES = [
    # name, segment, plan, ARR, seats, renewal in (days from today; negative: overdue)
    ("Acme Freight", E, "Enterprise", 640_000, 2400, 61),
    ("Northwind Logistics", E, "Enterprise", 410_000, 1500, 45),
    ("Globex Retail", E, "Enterprise", 380_000, 1800, 200),
    ("Initech", M, "Business", 120_000, 450, 30),
    ("Umbrella Health", E, "Enterprise", 295_000, 900, 140),
    ("Stark Consulting", M, "Business", 96_000, 320, 250),
    ("Wayne Foods", M, "Business", 84_000, 300, -12),
    ("Hooli Media", M, "Business", 150_000, 520, 330),
    ("Pied Piper", S, "Team", 18_000, 40, 75),
    ("Vandelay Imports", S, "Team", 24_000, 60, 180),
    ("Soylent Labs", S, "Team", 31_000, 85, 290),
    ("Tyrell Engineering", M, "Business", 110_000, 380, 120),
]

# Sources: interview, ticket, call, survey, data.
IV, T, C, V, D = (Source.INTERVIEW, Source.SUPPORT_TICKET, Source.SALES_CALL, Source.SURVEY,
                  Source.USAGE_DATA)

NOTES = [
    # days ago, persona, company, contact, source, importance (0-3), item titles, what was said
    # Single sign-on: both sides ask.
    (12, "IT administrator", "Acme Freight", "Dana Wu", C, 3, ["Single sign-on with SAML"],
     "Security review blocks the renewal until we have SAML."),
    (20, "Compliance officer", "Globex Retail", "Ravi Patel", IV, 3, ["Single sign-on with SAML"],
     "Every tool we buy must sit behind our identity provider."),
    (33, "IT administrator", "Umbrella Health", "", C, 2, ["Single sign-on with SAML"],
     "Offboarding is a nightmare without SSO."),
    (8, "Field employee", "Acme Freight", "", T, 1, ["Single sign-on with SAML"],
     "I forgot yet another password and could not file my expenses on the road."),
    (41, "Field employee", "Globex Retail", "", T, 1, ["Single sign-on with SAML"],
     "Locked out again. Can it just use my work login?"),
    # Audit log export: customers.
    (15, "Compliance officer", "Umbrella Health", "Grace Kim", IV, 3, ["Audit log export"],
     "Our auditors want every change as a spreadsheet, with who and when."),
    (52, "Compliance officer", "Initech", "", C, 2, ["Audit log export"],
     "SOX audit next quarter: we need the trail exported."),
    # SCIM.
    (26, "IT administrator", "Acme Freight", "Dana Wu", IV, 2, ["SCIM user provisioning"],
     "We onboard 40 drivers a month; accounts by hand take a day each time."),
    (64, "IT administrator", "Hooli Media", "", C, 1, ["SCIM user provisioning"],
     "Provisioning from Okta would save my team hours."),
    # Approve from email: tagged users only, but the buyers ask (a mismatch).
    (6, "Economic buyer", "Acme Freight", "Marta Lopez", C, 3,
     ["Approve from email in one click"],
     "Month-end slips because approvals sit for a week. Fix the bottleneck or we cut seats."),
    (18, "Economic buyer", "Initech", "Paul Grant", C, 2, ["Approve from email in one click"],
     "Our CFO wants approvals done within a day; show me how."),
    (29, "IT administrator", "Tyrell Engineering", "", IV, 2,
     ["Approve from email in one click"],
     "Managers complain to me that approving needs a login; can policy allow email approval?"),
    (47, "Compliance officer", "Globex Retail", "", C, 1, ["Approve from email in one click"],
     "An email approval must still leave an audit record."),
    (10, "Approving manager", "Initech", "", T, 1, ["Approve from email in one click"],
     "Let me approve without opening the app."),
    # Invoice approval workflow: tagged customers only, but the users ask (a mismatch).
    (4, "Accountant", "Stark Consulting", "Lee Chen", T, 3, ["Invoice approval workflow"],
     "I send 200 invoices a week and nobody checks them before they go out."),
    (11, "Accountant", "Vandelay Imports", "", T, 2, ["Invoice approval workflow"],
     "A wrong invoice went to our biggest client. I want a second pair of eyes."),
    (23, "Accountant", "Hooli Media", "", V, 2, ["Invoice approval workflow"],
     "Survey: a review step before sending, please."),
    (37, "Approving manager", "Stark Consulting", "", IV, 2, ["Invoice approval workflow"],
     "I would approve invoices the same way I approve expenses."),
    (58, "Compliance officer", "Umbrella Health", "", C, 1, ["Invoice approval workflow"],
     "Four-eyes principle on outgoing invoices is a nice to have for us."),
    # Receipt capture, offline mode, policy flags: the users.
    (9, "Field employee", "Globex Retail", "", T, 2, ["Offline mode on mobile"],
     "No signal in the warehouse, and the draft is gone."),
    (14, "Field employee", "Acme Freight", "", T, 3, ["Offline mode on mobile"],
     "Drivers lose their receipts every day on the motorway."),
    (21, "Field employee", "Wayne Foods", "", D, 2, ["Offline mode on mobile"],
     "Usage data: 18% of mobile sessions end with a network error."),
    (35, "Field employee", "Pied Piper", "", V, 1, ["Offline mode on mobile"],
     "Would be nice to draft expenses on the plane."),
    (3, "Field employee", "Tyrell Engineering", "", T, 2,
     ["Policy violations flagged before submit"],
     "I only learn about the hotel limit after my report is rejected."),
    (27, "Approving manager", "Tyrell Engineering", "", IV, 2,
     ["Policy violations flagged before submit"],
     "Half my rejections are policy mistakes the app could have caught."),
    (44, "Compliance officer", "Tyrell Engineering", "", C, 2,
     ["Policy violations flagged before submit"],
     "Fewer out-of-policy claims means fewer audit findings."),
    # The accountant's daily work.
    (5, "Accountant", "Hooli Media", "Sam Ortiz", IV, 3, ["Keyboard shortcuts for reconciliation"],
     "I reconcile 300 lines a day with the mouse. Shortcuts would give me an hour back."),
    (19, "Accountant", "Stark Consulting", "", V, 2, ["Keyboard shortcuts for reconciliation"],
     "Survey: keyboard navigation is the top ask from finance staff."),
    (31, "Accountant", "Soylent Labs", "", T, 1, ["Bulk edit of expense categories"],
     "Fixing 40 categories one by one after an import takes forever."),
    (50, "Accountant", "Globex Retail", "", D, 2, ["Bulk edit of expense categories"],
     "Usage data: category edits come in bursts of 30+ within minutes."),
    (13, "Accountant", "Initech", "", T, 2, ["Payment reminders"],
     "Chasing late payers by hand every Friday."),
    (39, "Accountant", "Vandelay Imports", "", IV, 1, ["Payment reminders"],
     "Automatic reminders would help our cash flow."),
    (24, "Accountant", "Pied Piper", "", T, 1, ["Recurring invoices"],
     "Same invoice to the same 12 customers every month."),
    (55, "Economic buyer", "Pied Piper", "", C, 1, ["Recurring invoices"],
     "Recurring billing would let us drop our other tool."),
    (16, "Accountant", "Wayne Foods", "", T, 1, ["Dark mode"],
     "My eyes hurt after a day of reconciliation."),
    (70, "Accountant", "Soylent Labs", "", V, 0, ["Dark mode"], "Dark mode please."),
    # The buyers' money questions.
    (7, "Economic buyer", "Hooli Media", "", C, 2, ["Billing by active seat"],
     "We pay for 520 seats and 300 people log in. Bill us for active ones."),
    (22, "Economic buyer", "Globex Retail", "Ravi Patel", C, 2, ["Billing by active seat"],
     "Procurement will push back at renewal unless seats match usage."),
    (34, "Economic buyer", "Umbrella Health", "", IV, 1, ["Revenue forecast report"],
     "The board asks what comes in next quarter."),
    (46, "Economic buyer", "Acme Freight", "Marta Lopez", C, 2, ["Multi-currency invoices"],
     "Half our customers pay in dollars; we invoice them from a spreadsheet."),
    (60, "Accountant", "Acme Freight", "", T, 2, ["Multi-currency invoices"],
     "Converting currencies by hand for every invoice."),
    (28, "IT administrator", "Globex Retail", "", IV, 2, ["Role-based admin permissions"],
     "Regional admins must only see their region's people."),
    (66, "IT administrator", "Umbrella Health", "", C, 1, ["Role-based admin permissions"],
     "Delegated administration is on our checklist."),
    (17, "Economic buyer", "Tyrell Engineering", "", C, 1, ["Usage report for leadership"],
     "I need to show leadership who uses what we pay for."),
    # Northwind Logistics: renewing soon, asking only for later, untriaged work (at risk).
    (9, "Compliance officer", "Northwind Logistics", "Ingrid Berg", C, 3,
     ["Data residency in the EU"],
     "Legal will not sign the renewal without EU hosting."),
    (25, "Economic buyer", "Northwind Logistics", "Ola Nordmann", C, 2,
     ["Customer payment portal"],
     "Our customers want to pay invoices by card; it is part of the renewal talks."),
    (38, "Field employee", "Northwind Logistics", "", T, 1, ["Mileage from a map route"],
     "Typing kilometres by hand for every trip."),
    # More voices from the road and the approvers.
    (2, "Field employee", "Wayne Foods", "", T, 1, ["Receipt capture from the camera"],
     "The photo came out blurry and I had to retake it three times."),
    (30, "Approving manager", "Hooli Media", "", V, 1, ["Slack notifications"],
     "Tell me in Slack when something waits for me."),
    (42, "Approving manager", "Globex Retail", "", T, 2, ["Approve from email in one click"],
     "I approve from my phone's mail app anyway."),
    (53, "Occasional submitter", "Initech", "", V, 1, ["Guided first expense report"],
     "The first report took me 40 minutes."),
    (57, "Compliance officer", "Wayne Foods", "", IV, 2, ["Two-factor authentication for all"],
     "2FA for everyone is now in our policy."),
    (62, "IT administrator", "Stark Consulting", "", T, 1, ["Custom fields on expense types"],
     "We track cost centres our own way."),
    (68, "Economic buyer", "Soylent Labs", "", C, 1, ["Branded invoice templates"],
     "Invoices should look like us."),
    (75, "Accountant", "Tyrell Engineering", "", T, 1, ["Faster invoice search"],
     "Finding an invoice from last year takes minutes."),
    (80, "Field employee", "Hooli Media", "", D, 1, ["Per diem rates by country"],
     "Usage data: travellers to 14 countries type per diems by hand."),
    # The champion: last heard from five months ago (listening coverage flags it).
    (150, "Finance champion", "Acme Freight", "Jo Park", IV, 2, ["Usage report for leadership"],
     "I argued for buying this; give me a report that proves it was right."),
    # The inbox: not linked to any item yet.
    (1, "Approving manager", "Initech", "", T, 1, [],
     "The approval reminder arrives at 3 a.m. my time."),
    (4, "Economic buyer", "Vandelay Imports", "", C, 1, [],
     "Is there a discount for paying yearly?"),
    (6, "Field employee", "Pied Piper", "", V, 0, [],
     "The app asks for the project code every time; remember my last one."),
]


def seed_evidence(command):
    """Companies and notes, each created once; says how many are new."""
    today = timezone.localdate()
    people = {p.username: p for p in get_user_model().objects.filter(
        username__in=["pm", "pm2", "lead"])}
    companies = {}
    new_companies = 0
    for name, segment, plan, arr, seats, renews_in in COMPANIES:
        company, created = Company.objects.get_or_create(name=name, defaults={
            "segment": segment, "plan": plan, "arr": Decimal(arr), "seats": seats,
            "renewal_date": today + timedelta(days=renews_in)})
        companies[name] = company
        new_companies += created
    personas = {p.name: p for p in Persona.objects.all()}
    items = {item.title: item for item in RoadmapItem.objects.all()}
    recorders = [people[u] for u in ("pm", "pm2", "lead") if u in people]
    new_notes = 0
    for n, (days_ago, persona, company, contact, source, importance, titles, text) in \
            enumerate(NOTES):
        if persona not in personas or Evidence.objects.filter(text=text).exists():
            continue
        Evidence.record(
            recorded_by=recorders[n % len(recorders)], items=[items[t] for t in titles
                                                               if t in items],
            text=text, persona=personas[persona], company=companies[company],
            contact_name=contact, source=source, importance=importance, link="",
            observed_on=today - timedelta(days=days_ago))
        new_notes += 1
    command.stdout.write(command.style.SUCCESS(
        f"Demo evidence ready: {len(COMPANIES)} companies ({new_companies} new), "
        f"{len(NOTES)} notes ({new_notes} new)."))


def remove_demo_evidence(demo, *, by):
    """With all of the demo content (seed_demo --remove): the demo notes its demo logins
    recorded and the demo companies no one else's note names. With a few products only
    (the admin action), nothing: their notes lose the removed items and stay."""
    if demo.scope is not None:
        return []
    reason = "Demo content removed"
    notes = Evidence.objects.filter(text__in=[note[-1] for note in NOTES],
                                    recorded_by__in=demo.logins)
    removed_notes = 0
    linked = EvidenceLink.objects.filter(evidence__in=notes).values_list("roadmapitem",
                                                                          flat=True)
    counted_again = set(linked)
    for note in notes:
        note._history_user, note._change_reason = by, reason
        note.delete()
        removed_notes += 1
    ItemDemand.refresh(counted_again)
    removed_companies = 0
    for company in Company.objects.filter(name__in=[c[0] for c in COMPANIES]):
        if company.evidence.exists():
            demo.kept.append(f"Company {company.name}: evidence people added names it.")
            continue
        company._history_user, company._change_reason = by, reason
        company.delete()
        removed_companies += 1
    words = []
    if removed_notes:
        words.append(f"{removed_notes} evidence note{'s' if removed_notes != 1 else ''}")
    if removed_companies:
        words.append(f"{removed_companies} compan{'ies' if removed_companies != 1 else 'y'}")
    return words
