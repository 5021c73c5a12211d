"""Quarters: what an item targets and what the balance targets and the plan-against-reality
chart are set per. One home for their spelling (`2027-Q1`), range and calendar."""

import re
from dataclasses import dataclass
from datetime import date, timedelta

from django import forms
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone

FIRST_YEAR, LAST_YEAR = 2000, 2100
# What a person may type: 2027-Q1, 2027 Q1, Q1 2027, Q1-2027, 2027Q1 (any case).
_SPELLINGS = [
    re.compile(r"^\s*(?P<year>\d{4})\s*[-/ ]?\s*Q(?P<number>[1-4])\s*$", re.IGNORECASE),
    re.compile(r"^\s*Q(?P<number>[1-4])\s*[-/ ]?\s*(?P<year>\d{4})\s*$", re.IGNORECASE),
]
QUOTED_CHARS = 20
SPELLING_HELP = f"A quarter such as 2027-Q1, from {FIRST_YEAR}-Q1 to {LAST_YEAR}-Q4."


@dataclass(frozen=True, order=True)
class Quarter:
    """A calendar quarter: year and number 1-4. str() is its stored form, `2027-Q1`."""

    year: int
    number: int

    def __post_init__(self):
        if not (FIRST_YEAR <= self.year <= LAST_YEAR and 1 <= self.number <= 4):
            raise ValidationError(f"{self.year}-Q{self.number} is out of range: "
                                  f"{FIRST_YEAR}-Q1 to {LAST_YEAR}-Q4.", code="quarter_range")

    def __str__(self):
        return f"{self.year}-Q{self.number}"

    @classmethod
    def parse(cls, text):
        """The quarter `text` names (any spelling above); ValidationError saying what is
        expected otherwise."""
        text = text or ""
        for spelling in _SPELLINGS:
            if match := spelling.match(text):
                return cls(int(match["year"]), int(match["number"]))
        # The input stays in its box; the message quotes only its start (a pasted paragraph).
        shown = text if len(text) <= QUOTED_CHARS else f"{text[:QUOTED_CHARS].rstrip()}…"
        raise ValidationError(f"“{shown}” is not a quarter. {SPELLING_HELP}", code="quarter")

    @classmethod
    def of(cls, day):
        """The quarter `day` (a date) falls in."""
        return cls(day.year, (day.month - 1) // 3 + 1)

    @classmethod
    def current(cls):
        return cls.of(timezone.localdate())

    @property
    def first_day(self):
        return date(self.year, 3 * self.number - 2, 1)

    @property
    def last_day(self):
        return self.next().first_day - timedelta(days=1) if self != LAST else date(
            self.year, 12, 31)

    def next(self):
        return Quarter(self.year + self.number // 4, self.number % 4 + 1)

    def previous(self):
        return Quarter(self.year - (self.number == 1), (self.number - 2) % 4 + 1)

    def label(self):
        """As every page and email writes it: "2027-Q1", its stored form, so a quarter reads
        the same in the list, a filter, the dashboard and the digest."""
        return str(self)

    def last(self, count):
        """The `count` quarters ending with this one, oldest first (fewer at the start of the
        range)."""
        quarters = [self]
        while len(quarters) < count and quarters[-1] != FIRST:
            quarters.append(quarters[-1].previous())
        return quarters[::-1]

    def first(self, count):
        """The `count` quarters starting with this one (fewer at the end of the range)."""
        quarters = [self]
        while len(quarters) < count and quarters[-1] != LAST:
            quarters.append(quarters[-1].next())
        return quarters


FIRST, LAST = Quarter(FIRST_YEAR, 1), Quarter(LAST_YEAR, 4)

# A quarter inside other words ("Release 2027-Q1", "FY Q1 2027"), and ISO dates (2027-01-17,
# 2027/01/17, the start of a timestamp).
_QUARTER_IN = re.compile(r"\b(?:(?P<y1>\d{4})\s*[-/ ]?\s*Q(?P<n1>[1-4])|Q(?P<n2>[1-4])\s*[-/ ]?\s*"
                         r"(?P<y2>\d{4}))\b", re.IGNORECASE)
_DATE_IN = re.compile(r"\b(\d{4})[-/](\d{1,2})[-/](\d{1,2})")


def quarter_in(text):
    """The quarter a fix version, sprint or cycle names: a quarter written in it, else the
    quarter of the last date in it (a sprint's or a cycle's end). ValidationError when it
    names neither, or a quarter out of range."""
    if match := _QUARTER_IN.search(text):
        return Quarter(int(match["y1"] or match["y2"]), int(match["n1"] or match["n2"]))
    days = []
    for year, month, day in _DATE_IN.findall(text):
        try:
            days.append(date(int(year), int(month), int(day)))
        except ValueError:
            continue
    if days:
        return Quarter.of(max(days))
    raise ValidationError(f"“{text}” names no quarter and no dates.", code="quarter")


def validate_quarter(text):
    """A stored quarter must be in its stored form (`2027-Q1`) and in range."""
    if text and str(Quarter.parse(text)) != text:
        raise ValidationError(f"Write the quarter as {Quarter.parse(text)}.", code="quarter")


class QuarterFormField(forms.CharField):
    """A quarter typed in any spelling above; cleans to its stored form ("" for none)."""

    def __init__(self, **kwargs):
        kwargs.setdefault("help_text", SPELLING_HELP)
        super().__init__(**{**kwargs, "max_length": None})
        self.widget.attrs.update(placeholder="2027-Q1", size=8)

    def to_python(self, value):
        text = super().to_python(value)
        return str(Quarter.parse(text)) if text else ""


class QuarterField(models.CharField):
    """A quarter stored as `2027-Q1` (so it sorts as text), or "" for none."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("max_length", 7)
        kwargs.setdefault("validators", [validate_quarter])
        super().__init__(*args, **kwargs)

    def deconstruct(self):
        name, path, args, kwargs = super().deconstruct()
        kwargs.pop("validators", None)
        if kwargs.get("max_length") == 7:
            del kwargs["max_length"]
        return name, path, args, kwargs

    def formfield(self, **kwargs):
        return super().formfield(**{"form_class": QuarterFormField, **kwargs})
