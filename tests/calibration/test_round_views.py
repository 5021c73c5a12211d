import pytest
from django.urls import reverse
from pytest_django.asserts import assertContains, assertNotContains

from calibration.models import AgreementTarget, Round, RoundAnswer, RoundItem
from roadmap import roles
from roadmap.models import RoadmapItem, Triage
from tests.conftest import logged_in_client
from tests.factories import (
    answer_round,
    make_item,
    make_person,
    make_personas,
    make_round,
    triage,
)


@pytest.fixture
def pm2(db):
    return make_person(roles.PRODUCT_MANAGER, first_name="Marco", last_name="Rossi",
                       username="pm2")


@pytest.fixture
def pm2_client(pm2):
    return logged_in_client(pm2)


@pytest.fixture
def open_round(pm, pm2, lead, buyer, employee):
    items = [make_item(title=f"Item {n}", request_quote=f"Request {n}") for n in range(3)]
    return make_round([pm, pm2], items, by=lead)


def queue(round):
    return reverse("calibration:round-queue", args=[round.pk])


def post_answer(client, round, item, personas, htmx=False, **extra):
    return client.post(queue(round), {"item": item.pk, "primary_beneficiaries": [
        p.pk for p in personas], **extra}, headers={"HX-Request": "true"} if htmx else {})


# Starting a round ------------------------------------------------------------------------

def test_a_team_lead_starts_a_round_of_a_random_sample(lead_client, pm, pm2, lead):
    picked = [make_item(horizon="now") for _ in range(5)] + [make_item(horizon="later")]
    response = lead_client.post(reverse("calibration:round-create"), {
        "name": "Q3", "raters": [pm.pk, pm2.pk], "picking": "sample", "sample_size": 3,
        "sample-horizon": "now"})
    started = Round.objects.get()
    assert response.status_code == 302 and response["Location"] == started.get_absolute_url()
    chosen = set(started.items_in_order())
    assert len(chosen) == 3 and chosen <= set(picked[:5])
    assert started.started_by == lead


def test_a_team_lead_starts_a_round_of_hand_picked_items(lead_client, pm, pm2):
    items = [make_item() for _ in range(3)]
    lead_client.post(reverse("calibration:round-create"), {
        "name": "Hand-picked", "raters": [pm.pk, pm2.pk], "picking": "pick",
        "items": [items[0].pk, items[2].pk]})
    assert list(Round.objects.get().items_in_order()) == [items[0], items[2]]


def test_a_round_with_one_pm_is_refused_beside_the_field(lead_client, pm):
    make_item()
    response = lead_client.post(reverse("calibration:round-create"), {
        "name": "Alone", "raters": [pm.pk], "picking": "sample", "sample_size": 1})
    assertContains(response, "Pick at least two product managers")
    assertContains(response, 'value="Alone"')  # input kept
    assert not Round.objects.exists()


def test_a_team_lead_who_is_not_a_pm_cannot_rate(lead_client, pm, lead):
    make_item()
    response = lead_client.post(reverse("calibration:round-create"), {
        "name": "Mine", "raters": [pm.pk, lead.pk], "picking": "sample", "sample_size": 1})
    assertContains(response, "Only product managers take part in a round")
    assert not Round.objects.exists()


def test_a_sample_larger_than_the_filters_match_is_refused(lead_client, pm, pm2):
    make_item(horizon="now")
    response = lead_client.post(reverse("calibration:round-create"), {
        "name": "Big", "raters": [pm.pk, pm2.pk], "picking": "sample", "sample_size": 5,
        "sample-horizon": "now"})
    assertContains(response, "Only 1 item matches these filters")
    response = lead_client.post(reverse("calibration:round-create"), {
        "name": "None", "raters": [pm.pk, pm2.pk], "picking": "pick"})
    assertContains(response, "Pick at least one item.")
    assert not Round.objects.exists()


def test_a_pm_cannot_start_a_round(pm_client):
    assert pm_client.get(reverse("calibration:round-create")).status_code == 403


# The blind queue -------------------------------------------------------------------------

def test_the_queue_shows_the_request_and_personas_but_no_current_answer(
        pm_client, open_round, buyer, employee, pm):
    item = open_round.items_in_order().first()
    triage(item, [buyer], by=pm, value="The audit passes, so the renewal keeps access.")
    response = pm_client.get(queue(open_round))
    assertContains(response, "Request 0")
    assertContains(response, buyer.name)
    assertContains(response, employee.name)
    assertNotContains(response, "The audit passes")
    # No pick carried over from the triage.
    assertNotContains(response, f'id="id_primary_beneficiaries_{buyer.pk}" checked')
    assertNotContains(response, "Customers only")
    assertNotContains(response, item.get_absolute_url())


def test_a_pm_answers_in_the_queue_and_the_next_item_comes(pm_client, open_round, pm, buyer):
    first = open_round.items_in_order().first()
    response = post_answer(pm_client, open_round, first, [buyer])
    assert response.status_code == 302
    answer = RoundAnswer.objects.get()
    assert (answer.rater, answer.item, answer.beneficiary_class) == (pm, first, "customers")
    assert not Triage.objects.exists()
    assertContains(pm_client.get(response["Location"]), "Item 1")
    assertContains(pm_client.get(response["Location"]), "1 of 3 answered")


def test_the_queue_answers_htmx_with_the_next_item_in_place(pm_client, open_round, buyer):
    first = open_round.items_in_order().first()
    response = post_answer(pm_client, open_round, first, [buyer], htmx=True)
    assertContains(response, "Saved your answer to “Item 0”")
    assertContains(response, "Item 1")
    assertNotContains(response, "<html")


def test_an_answer_without_personas_is_refused_and_kept_nothing(pm_client, open_round):
    first = open_round.items_in_order().first()
    response = post_answer(pm_client, open_round, first, [], value_for_other_side="Typed")
    assertContains(response, "Pick who benefits most: the round asks for a class.")
    assert not RoundAnswer.objects.exists()


def test_a_pm_comes_back_and_goes_on_where_they_were(pm_client, open_round, pm, buyer):
    items = list(open_round.items_in_order())
    answer_round(open_round, pm, items[0], [buyer])
    answer_round(open_round, pm, items[1], [buyer])
    response = pm_client.get(queue(open_round))
    assertContains(response, "Item 2")
    assertContains(response, "2 of 3 answered")


def test_a_pm_changes_one_of_their_answers(pm_client, open_round, pm, buyer, employee):
    first = open_round.items_in_order().first()
    answer_round(open_round, pm, first, [buyer])
    response = pm_client.get(queue(open_round), {"item": first.pk})
    assertContains(response, f'value="{buyer.pk}" id="id_primary_beneficiaries_{buyer.pk}" '
                             "checked")
    post_answer(pm_client, open_round, first, [employee])
    assert RoundAnswer.objects.get().beneficiary_class == "users"


def test_the_class_preview_saves_nothing(pm_client, open_round, buyer):
    first = open_round.items_in_order().first()
    response = post_answer(pm_client, open_round, first, [buyer], preview="1",
                           htmx=True)
    assertContains(response, "Customers only")
    assert not RoundAnswer.objects.exists()


def test_answering_a_closed_round_says_so(pm_client, open_round, lead, buyer):
    first = open_round.items_in_order().first()
    open_round.close(by=lead)
    response = post_answer(pm_client, open_round, first, [buyer])
    assertContains(response, "your answer was not saved")
    assertContains(response, "answers can no longer change")
    assert not RoundAnswer.objects.exists()


def test_answering_a_deleted_item_says_so(pm_client, open_round, buyer):
    first = open_round.items_in_order().first()
    pk = first.pk
    RoadmapItem.objects.filter(pk=pk).delete()
    response = pm_client.post(queue(open_round), {"item": pk,
                                                  "primary_beneficiaries": [buyer.pk]})
    assertContains(response, "deleted from the roadmap after the round started")
    assert not RoundAnswer.objects.exists()


def test_an_item_outside_the_round_is_404(pm_client, open_round, buyer):
    other = make_item()
    assert post_answer(pm_client, open_round, other, [buyer]).status_code == 404


def test_the_last_answer_closes_the_round_and_the_results_show(pm_client, pm2_client,
                                                             open_round, pm, pm2, buyer):
    items = list(open_round.items_in_order())
    for item in items:
        answer_round(open_round, pm, item, [buyer])
    for item in items[:2]:
        answer_round(open_round, pm2, item, [buyer])
    last = post_answer(pm2_client, open_round, items[2], [buyer], htmx=True)
    assertContains(last, "That was the last answer the round waited for")
    response = pm_client.get(open_round.get_absolute_url())
    assertContains(response, "when every PM was done")
    assertContains(response, "3 of 3")
    assertContains(response, "Not defined: every PM gave “Customers only” to every item")


# Results and settling ---------------------------------------------------------------------

@pytest.fixture
def closed_round(open_round, pm, pm2, buyer, employee):
    items = list(open_round.items_in_order())
    for item in items:
        answer_round(open_round, pm, item, [buyer])
    answer_round(open_round, pm2, items[0], [buyer])
    answer_round(open_round, pm2, items[1], [buyer])
    answer_round(open_round, pm2, items[2], [employee], value="Fewer steps for everyone.")
    open_round.refresh_from_db()
    return open_round


def test_the_results_show_the_disagreement_side_by_side(lead_client, closed_round):
    response = lead_client.get(closed_round.get_absolute_url())
    assertContains(response, "2 of 3")
    assertContains(response, "Cohen&#x27;s kappa")
    assertContains(response, "Fewer steps for everyone.")
    assertContains(response, "Adopt Marco Rossi's answer")
    assertContains(response, '<th scope="row">Customers only</th>')


def test_a_team_lead_adopts_a_pms_answer(lead_client, closed_round, pm2, lead):
    item = list(closed_round.items_in_order())[2]
    response = lead_client.post(
        reverse("calibration:round-resolve", args=[closed_round.pk, item.pk]),
        {"answer": pm2.pk, "version": item.version})
    assert response.status_code == 302
    item.refresh_from_db()
    assert item.triage.beneficiary_class == "users"
    page = lead_client.get(item.get_absolute_url())
    assertContains(page, "Marco Rossi&#x27;s answer in calibration round “Q3 calibration”")
    assertContains(lead_client.get(closed_round.get_absolute_url()),
                   "Lena Schmidt adopted Marco Rossi's answer")


def test_adopting_after_someone_triaged_the_item_is_refused(lead_client, closed_round, pm,
                                                          pm2, buyer):
    item = list(closed_round.items_in_order())[2]
    seen = item.version
    triage(item, [buyer], by=pm)
    response = lead_client.post(
        reverse("calibration:round-resolve", args=[closed_round.pk, item.pk]),
        {"answer": pm2.pk, "version": seen}, follow=True)
    assertContains(response, "since you opened the results, so nothing was adopted")
    assert Triage.objects.get(item=item).beneficiary_class == "customers"


def test_a_pm_cannot_settle(pm_client, closed_round, pm):
    item = closed_round.items_in_order().first()
    response = pm_client.post(
        reverse("calibration:round-resolve", args=[closed_round.pk, item.pk]),
        {"answer": pm.pk, "version": item.version})
    assert response.status_code == 403
    assert RoundItem.objects.filter(resolution="").count() == 3


@pytest.fixture
def round_of_twelve_disagreements(pm, pm2, lead, buyer, employee):
    items = [make_item(title=f"Disputed {n:02}") for n in range(12)]
    disputed = make_round([pm, pm2], items, by=lead, name="Twelve")
    for item in items:
        answer_round(disputed, pm, item, [buyer])
        answer_round(disputed, pm2, item, [employee], value=f"Reason for {item.title}")
    disputed.refresh_from_db()
    return disputed


def test_the_results_show_ten_disagreements_side_by_side_and_list_the_rest(
        lead_client, round_of_twelve_disagreements, django_assert_num_queries):
    with django_assert_num_queries(9):
        response = lead_client.get(round_of_twelve_disagreements.get_absolute_url())
    assertContains(response, "the first 10 of 12 here")
    assertContains(response, "Reason for Disputed 09")
    assertNotContains(response, "Reason for Disputed 10")
    assertContains(response, 'class="resolve"', count=10)
    # The other two by title, each a link to it on the page showing them all.
    item = RoadmapItem.objects.get(title="Disputed 11")
    assertContains(response, f'<a href="?disagreements=all#disagreement-{item.pk}">'
                             "Disputed 11</a>", html=True)
    assertContains(response, "Show all 12 side by side")


def test_show_all_lists_every_disagreement_side_by_side(lead_client,
                                                     round_of_twelve_disagreements):
    response = lead_client.get(round_of_twelve_disagreements.get_absolute_url(),
                               {"disagreements": "all"})
    assertContains(response, "Reason for Disputed 11")
    assertContains(response, 'class="resolve"', count=12)
    assertNotContains(response, "Show all 12")


def test_settling_from_the_full_list_comes_back_to_it(lead_client,
                                                    round_of_twelve_disagreements, pm2):
    item = RoadmapItem.objects.get(title="Disputed 11")
    response = lead_client.post(
        reverse("calibration:round-resolve", args=[round_of_twelve_disagreements.pk, item.pk]),
        {"answer": pm2.pk, "version": item.version, "disagreements": "all"})
    assert response["Location"] == (f"{round_of_twelve_disagreements.get_absolute_url()}"
                                    f"?disagreements=all#disagreement-{item.pk}")
    page = lead_client.get(response["Location"])
    assertContains(page, "Disputed 11”: adopted Marco Rossi&#x27;s answer as its triage")
    assertContains(page, "Lena Schmidt adopted Marco Rossi's answer")


def test_a_folded_disagreement_says_when_it_is_settled(lead_client,
                                                     round_of_twelve_disagreements):
    item = RoadmapItem.objects.get(title="Disputed 10")
    lead_client.post(
        reverse("calibration:round-resolve", args=[round_of_twelve_disagreements.pk, item.pk]),
        {"answer": "keep", "version": item.version})
    response = lead_client.get(round_of_twelve_disagreements.get_absolute_url())
    assertContains(response, "Disputed 10</a> <span class=\"muted small\">settled</span>")
    assertContains(response, "Disputed 11</a> <span class=\"muted small\">not settled yet")


def test_closing_twice_says_it_was_closed(lead_client, open_round):
    url = reverse("calibration:round-close", args=[open_round.pk])
    lead_client.post(url)
    response = lead_client.post(url, follow=True)
    assertContains(response, "This round was already closed on")


# Access ------------------------------------------------------------------------------------

def test_a_pm_not_in_the_round_gets_404_on_each_of_its_urls(open_round, db):
    outsider = logged_in_client(make_person(roles.PRODUCT_MANAGER))
    item = open_round.items_in_order().first()
    for url in [open_round.get_absolute_url(), queue(open_round),
                reverse("calibration:round-close", args=[open_round.pk]),
                reverse("calibration:round-resolve", args=[open_round.pk, item.pk])]:
        assert outsider.get(url).status_code in (404, 405)
        assert outsider.post(url).status_code in (404, 403, 405)
    assertNotContains(outsider.get(reverse("calibration:round-list")), open_round.name)


def test_a_team_lead_has_no_queue_in_a_round_they_do_not_rate(lead_client, open_round):
    assert lead_client.get(queue(open_round)).status_code == 404


# Query budgets -----------------------------------------------------------------------------

def test_the_queue_query_count_is_fixed(pm_client, open_round, django_assert_num_queries):
    make_personas(25)
    pm_client.get(queue(open_round))
    with django_assert_num_queries(12):
        pm_client.get(queue(open_round))


def test_the_queue_reads_no_picks_of_the_items_triage(pm_client, pm, open_round, buyer,
                                                      employee, django_assert_num_queries):
    # Blind: the items' own answers are never shown, so their personas are never read.
    for item in open_round.items_in_order():
        triage(item, [buyer, employee], by=pm, indirect=[])
    pm_client.get(queue(open_round))
    with django_assert_num_queries(12):
        pm_client.get(queue(open_round))


def test_the_results_query_count_is_fixed(lead_client, closed_round, pm, pm2, lead, buyer,
                                        employee, django_assert_num_queries):
    with django_assert_num_queries(9):
        lead_client.get(closed_round.get_absolute_url())
    # Three times the PMs and items, each PM disagreeing somewhere: the same count.
    raters = [pm, pm2, *(make_person(roles.PRODUCT_MANAGER) for _ in range(4))]
    items = [make_item() for _ in range(9)]
    bigger = make_round(raters, items, by=lead, name="Bigger")
    for n, item in enumerate(items):
        for m, rater in enumerate(raters):
            answer_round(bigger, rater, item, [buyer] if (n + m) % 3 else [employee, buyer])
    with django_assert_num_queries(9):
        lead_client.get(bigger.get_absolute_url())


def test_the_list_and_form_query_counts_are_fixed(lead_client, closed_round,
                                                 django_assert_num_queries):
    with django_assert_num_queries(6):
        lead_client.get(reverse("calibration:round-list"))
    with django_assert_num_queries(6):
        lead_client.get(reverse("calibration:round-create"))


def test_the_dashboard_shows_the_last_rounds_agreement_below_target(lead_client,
                                                                  closed_round):
    response = lead_client.get(reverse("roadmap:dashboard"))
    assertContains(response, "The PMs classify inconsistently")
    assertContains(response, "<strong>2 of 3</strong> items (67%); the target is 80%")
    assertContains(response, "Agreement on the class in the one closed round")
    target = AgreementTarget.current()
    target.share = 60
    target.save()
    response = lead_client.get(reverse("roadmap:dashboard"))
    assertNotContains(response, "The PMs classify inconsistently")
    assertContains(response, "the target is 60%")


def test_the_list_shows_a_pm_their_round_with_every_pm_counted(pm_client, open_round):
    response = pm_client.get(reverse("calibration:round-list"))
    assertContains(response, '<td data-label="PMs" class="num">2</td>', html=False)
    assertContains(response, "0 of 3 answered")
    assertContains(response, reverse("calibration:round-queue", args=[open_round.pk]))
