"""The evidence inbox: notes not linked to an item, linked by searching titles."""

from django.urls import reverse
from pytest_django.asserts import assertContains, assertNotContains

from evidence.models import Evidence
from tests.factories import make_company, make_item, make_note

INBOX = reverse("evidence:inbox")


def test_inbox_lists_only_unlinked_notes(pm_client, pm, item, buyer):
    make_note(buyer, by=pm, text="Discount for paying yearly?")
    make_note(buyer, by=pm, items=[item], text="Already linked.")
    response = pm_client.get(INBOX)
    assertContains(response, "Discount for paying yearly?")
    assertNotContains(response, "Already linked.")
    assertContains(response, "1 note to link")


def test_title_search_offers_items_to_link(pm_client, pm, buyer):
    note = make_note(buyer, by=pm)
    make_item(title="Single sign-on with SAML")
    make_item(title="Dark mode")
    response = pm_client.get(reverse("evidence:link", args=[note.pk]), {"q": "sign-on"},
                             headers={"HX-Request": "true"})
    assertContains(response, "Single sign-on with SAML")
    assertNotContains(response, "Dark mode")


def test_the_search_works_without_javascript_on_the_inbox_page(pm_client, pm, buyer):
    note = make_note(buyer, by=pm)
    make_item(title="Offline mode")
    response = pm_client.get(INBOX, {"note": note.pk, "q": "offline"})
    assertContains(response, "Offline mode")
    assertContains(response, 'value="offline"', html=False)


def test_linking_by_htmx_shows_the_link_and_takes_the_note_out_of_the_inbox(
        pm_client, pm, item, buyer):
    note = make_note(buyer, by=pm)
    response = pm_client.post(reverse("evidence:link", args=[note.pk]), {"item": item.pk},
                              headers={"HX-Request": "true"})
    assertContains(response, f"Linked to <a href=\"{item.get_absolute_url()}\">", html=False)
    assert list(note.items.all()) == [item]
    assert not Evidence.objects.unlinked().exists()
    assert note.history.latest("history_date", "history_id").history_user == pm


def test_linking_without_javascript_goes_back_to_the_inbox(pm_client, pm, item, buyer):
    note = make_note(buyer, by=pm)
    response = pm_client.post(reverse("evidence:link", args=[note.pk]),
                              {"item": item.pk, "next": "https://evil.example/"})
    assert response["Location"] == INBOX


def test_linking_to_a_missing_item_is_404(pm_client, pm, buyer):
    note = make_note(buyer, by=pm)
    response = pm_client.post(reverse("evidence:link", args=[note.pk]), {"item": 999999})
    assert response.status_code == 404


def test_a_note_added_to_the_inbox_is_unlinked(pm_client, buyer):
    make_company("Acme")
    response = pm_client.post(INBOX, {
        "text": "Remember my project code.", "persona": buyer.pk, "company": "Acme",
        "source": "survey", "importance": 0, "observed_on": "2026-11-01"})
    assert response.status_code == 302
    assert Evidence.objects.unlinked().get().text == "Remember my project code."


def test_editing_a_note_someone_else_saved_meanwhile_is_refused(pm_client, pm, buyer):
    note = make_note(buyer, by=pm, text="Original words.")
    url = reverse("evidence:evidence-edit", args=[note.pk])
    data = {"text": "My correction.", "persona": buyer.pk, "company": "", "source": "interview",
            "importance": 1, "observed_on": note.observed_on.isoformat(), "version": 1}
    note.text = "Their correction."
    note.save_edit(expected_version=1, edited_by=pm)
    response = pm_client.post(url, data)
    assertContains(response, "Someone else saved this since you opened it")
    assertContains(response, "Their correction.")
    assertContains(response, "My correction.")
    note.refresh_from_db()
    assert note.text == "Their correction."


def test_a_team_lead_reads_the_inbox_but_a_person_without_a_role_does_not(
        lead_client, no_role_client, pm, buyer):
    make_note(buyer, by=pm, text="Anything.")
    assertContains(lead_client.get(INBOX), "Anything.")
    assert no_role_client.get(INBOX).status_code == 403


def test_inbox_query_count_does_not_grow_with_the_notes(pm_client, pm, buyer,
                                                       django_assert_num_queries):
    make_note(buyer, by=pm)
    # session, person, roles, the count, the page of notes (persona, company,
    # recorder), their items, the quick-add's personas
    with django_assert_num_queries(7) as few:
        pm_client.get(INBOX)
    for n in range(10):
        make_note(buyer, by=pm, company=make_company(), text=f"Note {n}")
    with django_assert_num_queries(len(few.captured_queries)):
        pm_client.get(INBOX)
