from pytest_django.asserts import assertContains

from tests.factories import make_item, make_metric, make_persona, make_personas, triage


def test_item_page_shows_the_request_and_the_answer(pm_client, pm, customer_persona, user_persona):
    item = make_item(title="SSO", request_quote="We cannot roll out without SSO.",
                     requesting_persona=customer_persona)
    triage(item, [customer_persona], by=pm, value="Renewal keeps access.", indirect=[user_persona])
    response = pm_client.get(item.get_absolute_url())
    assertContains(response, "We cannot roll out without SSO.")
    assertContains(response, "Customers only")
    assertContains(response, "Renewal keeps access.")
    assertContains(response, "Field employee")
    assertContains(response, "Triaged by Priya Menon")


def test_item_page_marks_archived_personas(pm_client, pm, item):
    old = make_persona(name="Retired buyer")
    triage(item, [old], by=pm)
    old.archived = True
    old.save()
    assertContains(pm_client.get(item.get_absolute_url()), "Retired buyer (archived)")


def test_unknown_item_is_404(pm_client):
    assert pm_client.get("/roadmap/items/999999/").status_code == 404


def test_item_page_shows_the_triage_history_with_before_and_after(pm_client, pm, item,
                                                                  customer_persona, user_persona):
    triage(item, [customer_persona], by=pm, value="Renewal keeps access.")
    item.refresh_from_db()
    triage(item, [customer_persona, user_persona], by=pm, whose_problem="user")
    item.refresh_from_db()
    triage(item, [], by=pm)
    response = pm_client.get(item.get_absolute_url())
    content = response.content.decode()
    assert content.index("returned it to untriaged") < content.index("changed the triage") < (
        content.index("triaged it"))
    assertContains(response, "<tr><th scope=\"row\">Who benefits</th><td>Customers only</td>"
                             "<td>Both</td></tr>", html=True)
    assertContains(response, "<tr><th scope=\"row\">Whose problem</th><td>Customer problem</td>"
                             "<td>User problem</td></tr>", html=True)
    assertContains(response, "<tr><th scope=\"row\">Value for the other side</th>"
                             "<td>Renewal keeps access.</td><td>—</td></tr>", html=True)
    assertContains(response, "<tr><th scope=\"row\">Who benefits</th><td>Both</td>"
                             "<td>Untriaged</td></tr>", html=True)


def test_item_page_query_count_is_fixed(pm_client, pm, item, django_assert_num_queries):
    def retriage(count):
        for _ in range(count):
            item.refresh_from_db()
            triage(item, make_personas(3) + make_personas(2, side="user"), by=pm,
                   metrics=[make_metric(), make_metric(side="user")])

    retriage(1)
    # + evidence: thresholds, sums per side, companies' revenue, the notes, the companies
    # asking, the quick-add's personas
    with django_assert_num_queries(17) as few:
        pm_client.get(item.get_absolute_url())
    retriage(15)
    with django_assert_num_queries(len(few.captured_queries)):
        pm_client.get(item.get_absolute_url())
