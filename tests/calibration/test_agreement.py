"""Kappa against cases computed by hand (the arithmetic is in each test's comment)."""

import pytest

from calibration.agreement import (
    cohen_kappa,
    fleiss_kappa,
    kappa,
    share_agreeing,
    single_label_raters,
)

C, U, B = "customers", "users", "both"


def test_perfect_agreement_is_1_for_cohen_and_fleiss():
    pairs = [(C, C), (U, U), (B, B), (C, C)]
    assert cohen_kappa(pairs) == 1
    assert fleiss_kappa([[C, C, C], [U, U, U], [B, B, B]]) == 1


def test_agreement_at_chance_level_is_0():
    # A: C C U U, B: C U C U. Observed 2/4 = 0.5; each gives C half the time, so chance
    # agreement is 0.5 * 0.5 + 0.5 * 0.5 = 0.5: kappa (0.5 - 0.5) / (1 - 0.5) = 0.
    assert cohen_kappa([(C, C), (C, U), (U, C), (U, U)]) == 0


def test_a_hand_computed_cohen_kappa():
    # 10 items. Agree on 7: C-C 4, U-U 3; disagree: C-U 2, U-C 1.
    # Observed 0.7. A: C 6, U 4; B: C 5, U 5. Chance 0.6 * 0.5 + 0.4 * 0.5 = 0.5.
    # Kappa (0.7 - 0.5) / 0.5 = 0.4.
    pairs = [(C, C)] * 4 + [(U, U)] * 3 + [(C, U)] * 2 + [(U, C)]
    assert cohen_kappa(pairs) == pytest.approx(0.4)


def test_worse_than_chance_is_negative():
    # Always disagree on two classes, half each: observed 0, chance 0.5: kappa -1.
    assert cohen_kappa([(C, U), (U, C)]) == pytest.approx(-1)


def test_one_pm_giving_one_class_to_everything_holds_cohen_at_0():
    # A says C for all 4; B says C, C, U, B. Observed 2/4 = 0.5. Chance: A's C share 1 times
    # B's C share 0.5 = 0.5. Kappa (0.5 - 0.5) / 0.5 = 0, however often B happens to say C.
    pairs = [(C, C), (C, C), (C, U), (C, B)]
    assert cohen_kappa(pairs) == 0
    assert single_label_raters([list(p) for p in pairs]) == [0]


def test_everyone_giving_one_class_to_everything_leaves_kappa_undefined():
    # Agreement is perfect, but chance explains all of it: 1 - chance is 0.
    assert cohen_kappa([(C, C), (C, C), (C, C)]) is None
    assert fleiss_kappa([[U, U, U], [U, U, U]]) is None
    assert single_label_raters([[U, U, U], [U, U, U]]) == [0, 1, 2]


def test_no_items_has_no_kappa():
    assert cohen_kappa([]) is None
    assert fleiss_kappa([]) is None


def test_a_hand_computed_fleiss_kappa():
    # 4 items, 3 raters.
    # Item 1: C C C -> (9 - 3) / 6 = 1.  Item 2: C C U -> (4 + 1 - 3) / 6 = 1/3.
    # Item 3: U U U -> 1.                 Item 4: B U C -> (1 + 1 + 1 - 3) / 6 = 0.
    # Observed mean (1 + 1/3 + 1 + 0) / 4 = 7/12.
    # Labels over all 12: C 6, U 5, B 1 -> chance (6/12)² + (5/12)² + (1/12)² = 62/144.
    # Kappa (7/12 - 62/144) / (1 - 62/144) = (84 - 62) / (144 - 62) = 22/82.
    ratings = [[C, C, C], [C, C, U], [U, U, U], [B, U, C]]
    assert fleiss_kappa(ratings) == pytest.approx(22 / 82)


def test_fleiss_for_two_raters_is_not_cohen_but_kappa_picks_cohen():
    ratings = [[C, C], [C, U], [U, U], [U, U]]
    assert kappa(ratings) == ("Cohen's kappa", pytest.approx(cohen_kappa(map(tuple, ratings))))
    assert kappa([[C, C, C], [U, U, C]])[0] == "Fleiss' kappa"


def test_fleiss_needs_the_same_number_of_raters_per_item():
    with pytest.raises(ValueError, match="same number"):
        fleiss_kappa([[C, C], [C, C, U]])


def test_share_agreeing_counts_items_where_everyone_agrees():
    assert share_agreeing([[C, C, C], [C, U, C], [B, B, B]]) == (2, 3)
