"""whobenefits.forms' QuickSelect and QuickRadioSelect: Django's HTML, written in one loop."""

import pytest
from django import forms
from django.test.html import parse_html

from whobenefits.forms import QuickRadioSelect, QuickSelect, quick_menus

GROUPED = [("", "Pick a persona"),
           ("Customers", [("1", "Buyer <CFO>"), ("2", "Admin")]),
           ("Users", [("3", "Field employee")])]


def rendered(widget, name, value, choices, **attrs):
    widget.choices = choices
    return parse_html(widget.render(name, value, attrs={"id": f"id_{name}", **attrs}))


@pytest.mark.parametrize("value", ["", "2", "3"])
def test_quick_select_writes_the_same_menu_as_djangos(value):
    assert (rendered(QuickSelect(), "persona", value, GROUPED, required=True)
            == rendered(forms.Select(), "persona", value, GROUPED, required=True))
    assert (QuickSelect(choices=GROUPED).render("persona", value)
            == forms.Select(choices=GROUPED).render("persona", value))  # to the byte


@pytest.mark.parametrize("value", [None, "1"])
def test_quick_radio_select_writes_the_same_buttons_as_djangos(value):
    choices = [("0", "Nice to have"), ("1", "Would help"), ("2", "Blocker & more")]
    assert (rendered(QuickRadioSelect(), "importance", value, choices)
            == rendered(forms.RadioSelect(), "importance", value, choices))


def test_quick_select_escapes_the_labels():
    html = QuickSelect(choices=GROUPED).render("persona", "1")
    assert "Buyer &lt;CFO&gt;" in html
    assert '<option value="1" selected>' in html


def test_quick_menus_write_a_forms_menus_as_django_does():
    class Filters(forms.Form):
        persona = forms.ChoiceField(choices=GROUPED, required=False)
        products = forms.MultipleChoiceField(choices=GROUPED[1:], required=False,
                                             widget=forms.SelectMultiple(attrs={"size": 4}))

    data = {"persona": "2", "products": ["1", "3"]}
    quick = Filters(data)
    quick_menus(quick)
    assert quick["persona"].field.widget.template_name == QuickSelect.template_name
    for name in ["persona", "products"]:
        assert str(quick[name]) == str(Filters(data)[name])  # to the byte
