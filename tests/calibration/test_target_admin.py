from django.urls import reverse

from calibration.models import AgreementTarget


def test_an_admin_sets_the_calibration_target_on_the_audit_trail(admin_client, admin_person):
    target = AgreementTarget.current()
    assert target.pk and target.share == 80  # the migration made the row
    response = admin_client.post(
        reverse("admin:calibration_agreementtarget_change", args=[target.pk]), {"share": 70})
    assert response.status_code == 302
    record = AgreementTarget.history.latest("history_id")
    assert (record.share, record.history_user) == (70, admin_person)


def test_a_target_outside_1_to_100_is_refused_beside_the_field(admin_client):
    target = AgreementTarget.current()
    response = admin_client.post(
        reverse("admin:calibration_agreementtarget_change", args=[target.pk]), {"share": 120})
    assert b"Ensure this value is less than or equal to 100." in response.content
    assert AgreementTarget.current().share == 80


def test_a_team_lead_cannot_change_the_target(lead_client):
    target = AgreementTarget.current()
    lead_client.post(reverse("admin:calibration_agreementtarget_change", args=[target.pk]),
                     {"share": 10})
    assert AgreementTarget.current().share == 80
