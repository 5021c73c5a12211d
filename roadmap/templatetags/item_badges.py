"""The roadmap list's class badge and item source for other pages' templates: one home for
their markup (roadmap/rows.py), `{{ triage|class_badge }}`, `{{ item|item_source }}`."""

from django import template

from roadmap import rows

register = template.Library()
register.filter("class_badge", rows.class_badge)
register.filter("item_source", rows.item_source)
