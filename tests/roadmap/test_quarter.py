from datetime import date

import pytest
from django.core.exceptions import ValidationError

from roadmap.quarters import Quarter, validate_quarter


@pytest.mark.parametrize("text", ["2027-Q1", "2027 Q1", "2027q1", "Q1 2027", "q1-2027",
                                  " 2027-Q1 "])
def test_a_quarter_reads_the_ways_people_write_it(text):
    assert str(Quarter.parse(text)) == "2027-Q1"


@pytest.mark.parametrize("text", ["2027-Q5", "2027-Q0", "27-Q1", "Q1", "2027", "next quarter",
                                  "1999-Q4", "2101-Q1", ""])
def test_anything_else_is_refused_saying_what_a_quarter_looks_like(text):
    with pytest.raises(ValidationError, match="2000-Q1 to 2100-Q4"):
        Quarter.parse(text)


def test_a_quarter_knows_its_days_and_neighbours():
    q4 = Quarter(2026, 4)
    assert (q4.first_day, q4.last_day) == (date(2026, 10, 1), date(2026, 12, 31))
    assert Quarter(2027, 1).last_day == date(2027, 3, 31)
    assert (q4.next(), q4.previous()) == (Quarter(2027, 1), Quarter(2026, 3))
    assert Quarter(2027, 1).previous() == q4
    assert Quarter.of(date(2026, 12, 1)) == q4
    assert q4.label() == "2026-Q4"


def test_the_last_quarters_run_oldest_first_and_stop_at_the_range():
    assert [str(q) for q in Quarter(2027, 2).last(3)] == ["2026-Q4", "2027-Q1", "2027-Q2"]
    assert Quarter(2000, 2).last(8) == [Quarter(2000, 1), Quarter(2000, 2)]
    assert Quarter(2100, 3).first(8) == [Quarter(2100, 3), Quarter(2100, 4)]
    assert Quarter(2100, 4).last_day == date(2100, 12, 31)


def test_a_stored_quarter_is_in_its_stored_form():
    validate_quarter("2027-Q1")
    validate_quarter("")
    with pytest.raises(ValidationError, match="2027-Q1"):
        validate_quarter("Q1 2027")
