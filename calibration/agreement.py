"""Chance-corrected agreement between raters: Cohen's kappa for two, Fleiss' kappa for more.

Pure functions over answers (any hashable labels), no database. Kappa is
(observed agreement - agreement expected by chance) / (1 - agreement expected by chance).
When chance alone explains all of it (every rater gave one and the same label to every item)
the denominator is 0: kappa is not defined, and these return None for the page to say why.
"""

from collections import Counter
from itertools import combinations


def cohen_kappa(pairs):
    """Cohen's kappa of two raters' labels, `pairs` being one (a, b) per item; None when not
    defined (no items, or both gave one and the same label to everything)."""
    pairs = list(pairs)
    n = len(pairs)
    if not n:
        return None
    observed = sum(a == b for a, b in pairs) / n
    first, second = Counter(a for a, _ in pairs), Counter(b for _, b in pairs)
    expected = sum(first[label] * second[label] for label in first) / (n * n)
    if expected == 1:
        return None
    return (observed - expected) / (1 - expected)


def fleiss_kappa(ratings):
    """Fleiss' kappa, `ratings` being one list of labels per item, each from the same number
    (two or more) of raters; None when not defined (no items, or one label for everything)."""
    ratings = [list(labels) for labels in ratings]
    if not ratings:
        return None
    raters = len(ratings[0])
    if raters < 2 or any(len(labels) != raters for labels in ratings):
        raise ValueError("Fleiss' kappa needs the same number (two or more) of labels per item.")
    items = len(ratings)
    totals = Counter()
    observed = 0.0
    for labels in ratings:
        counts = Counter(labels)
        totals.update(counts)
        observed += (sum(c * c for c in counts.values()) - raters) / (raters * (raters - 1))
    observed /= items
    expected = sum((count / (items * raters)) ** 2 for count in totals.values())
    if expected == 1:
        return None
    return (observed - expected) / (1 - expected)


def kappa(ratings):
    """Cohen's kappa for two raters, Fleiss' for more: (name, value or None)."""
    ratings = [list(labels) for labels in ratings]
    if ratings and len(ratings[0]) == 2:
        return "Cohen's kappa", cohen_kappa(tuple(labels) for labels in ratings)
    return "Fleiss' kappa", fleiss_kappa(ratings)


def share_agreeing(ratings):
    """(items on which every rater gave the same label, items)."""
    ratings = [list(labels) for labels in ratings]
    return sum(len(set(labels)) == 1 for labels in ratings), len(ratings)


def single_label_raters(ratings):
    """The positions of the raters who gave one label to every item (with two items or more):
    what makes a kappa 0 or undefined, so the page names them."""
    ratings = [list(labels) for labels in ratings]
    if len(ratings) < 2:
        return []
    return [rater for rater in range(len(ratings[0]))
            if len({labels[rater] for labels in ratings}) == 1]


def pairs_of(count):
    """Every pair of rater positions, in order: (0, 1), (0, 2), (1, 2)..."""
    return list(combinations(range(count), 2))
