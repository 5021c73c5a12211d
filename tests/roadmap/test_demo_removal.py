"""seed_demo --remove and the admin action: exactly the demo content goes, on the audit
trail; what people made stays."""

from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.urls import reverse
from pytest_django.asserts import assertContains

from personas.models import Persona, SuccessMetric
from roadmap import roles
from roadmap.demo import REASON
from roadmap.models import Product, RoadmapItem, Triage
from tests.conftest import logged_in_client
from tests.factories import import_file, make_person, make_persona, triage


def test_remove_takes_out_the_demo_and_keeps_what_people_made(demo, capsys):
    pm = get_user_model().objects.get(username="pm")
    expenses = Product.objects.get(name="Expenses")
    mine = RoadmapItem(product=expenses, title="Dark mode")  # a demo title, made by a person
    mine._history_user = pm
    mine.save()
    buyer = Persona.objects.get(name="Economic buyer")
    triage(mine, [buyer], by=pm)
    own_persona = make_persona(name="Procurement")
    imported = import_file(b"Title\nPer diem rates by country\n", Product.objects.get(
        name="Invoicing"), by=pm)
    capsys.readouterr()

    call_command("seed_demo", remove=True)
    out = capsys.readouterr().out
    assert out.startswith("Removed the demo content: 44 items, 1 product, 7 personas, ")
    assert "Kept: Product Expenses: it has items people added." in out
    assert "Persona Economic buyer: items people added name it." in out
    titles = sorted(RoadmapItem.objects.values_list("product__name", "title"))
    assert titles == [("Expenses", "Dark mode"), ("Invoicing", "Per diem rates by country")]
    assert sorted(Product.objects.values_list("name", flat=True)) == ["Expenses", "Invoicing"]
    assert set(Persona.objects.values_list("name", flat=True)) == {"Economic buyer",
                                                                 own_persona.name}
    assert Triage.objects.get().item == mine
    assert imported.rows.get().item is not None
    # On the audit trail, and the demo logins can no longer sign in with the published ones.
    removed = RoadmapItem.history.filter(history_type="-", history_change_reason=REASON)
    assert removed.count() == 44
    assert not get_user_model().objects.get(username="lead").is_active
    assert get_user_model().objects.get(username="lead").history.latest(
        "history_id").history_change_reason == REASON


def test_remove_twice_removes_nothing_more(demo, capsys):
    call_command("seed_demo", remove=True)
    capsys.readouterr()
    call_command("seed_demo", remove=True)
    assert capsys.readouterr().out.startswith("Removed the demo content: 0 items.")


def test_a_demo_login_with_its_own_password_stays(demo):
    admin = get_user_model().objects.get(username="admin")
    admin.set_password("a-password-of-their-own")
    admin.save()
    call_command("seed_demo", remove=True, verbosity=0)
    admin.refresh_from_db()
    assert admin.is_active


def test_the_admin_action_asks_then_removes_the_demo_of_the_selected_products(demo):
    admin_client = logged_in_client(make_person(roles.ADMIN, username="curator"))
    platform = Product.objects.get(name="Platform")
    url = reverse("admin:roadmap_product_changelist")
    data = {"action": "remove_demo_content", "_selected_action": [platform.pk]}
    confirm = admin_client.post(url, data)
    assertContains(confirm, "Single sign-on with SAML")
    assert RoadmapItem.objects.filter(product=platform).exists()
    done = admin_client.post(url, {**data, "confirmed": "yes"}, follow=True)
    assertContains(done, "Removed the demo content: 16 items, 1 product")
    assert not Product.objects.filter(name="Platform").exists()
    assert RoadmapItem.objects.filter(product__name="Expenses").count() == 16
    assert SuccessMetric.objects.exists()  # the other products' items still name them
    assert get_user_model().objects.get(username="pm").is_active


def test_remove_takes_the_demo_evidence_and_keeps_peoples_notes(demo, capsys):
    from evidence.models import Company, Evidence
    from tests.factories import make_note

    pm = get_user_model().objects.get(username="pm")
    own = make_note(Persona.objects.get(name="Field employee"), by=pm, text="Mine.",
                    company=Company.objects.get(name="Initech"))
    capsys.readouterr()
    call_command("seed_demo", remove=True)
    out = capsys.readouterr().out
    assert "60 evidence notes, 11 companies, 576 metric readings, 1 calibration round." in out
    assert "Company Initech: evidence people added names it." in out
    assert "Persona Field employee: what people added names it." in out
    assert list(Evidence.objects.all()) == [own]
    assert list(Company.objects.values_list("name", flat=True)) == ["Initech"]
