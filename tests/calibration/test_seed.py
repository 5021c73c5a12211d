from django.core.management import call_command
from django.urls import reverse
from pytest_django.asserts import assertContains

from calibration.models import Round, RoundAnswer
from calibration.results import RoundResults
from calibration.seed import DEMO_ROUND
from tests.conftest import logged_in_client


def test_seed_demo_adds_one_finished_round_with_a_few_disagreements(demo):
    call_command("seed_demo", verbosity=0)  # idempotent: the second seed
    demo = Round.objects.get()
    assert demo.name == DEMO_ROUND and demo.is_closed
    assert {p.username for p in demo.raters.all()} == {"pm", "pm2"}
    assert demo.round_items.count() == 12 and RoundAnswer.objects.count() == 24
    results = RoundResults(demo)
    assert 2 <= len(results.disagreements()) <= 5
    lead = demo.started_by
    response = logged_in_client(lead).get(demo.get_absolute_url())
    assertContains(response, "Disagreements")
    assertContains(logged_in_client(lead).get(reverse("roadmap:dashboard")), DEMO_ROUND)


def test_seed_demo_remove_takes_the_demo_round_out(demo):
    call_command("seed_demo", remove=True, verbosity=0)
    assert not Round.objects.exists()
    assert Round.history.filter(history_type="-").count() == 1
