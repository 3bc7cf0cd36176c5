"""The one rule of what overlaps (agreements/merging.py): paragraphs of the common base."""

import pytest

from agreements.merging import merge

BASE = "Zero.\n\nOne.\n\nTwo.\n\nThree.\n\nFour.\n\nFive.\n"


def edited(*changes, text=BASE):
    paragraphs = text.strip().split("\n\n")
    for index, new in changes:
        paragraphs[index] = new
    return "\n\n".join(p for p in paragraphs if p) + "\n"


def with_paragraphs(paragraphs):
    return "\n\n".join(paragraphs) + "\n"


BASE_PARAGRAPHS = BASE.strip().split("\n\n")
MOVED_ONE = with_paragraphs(["Zero.", "Two.", "Three.", "Four.", "One.", "Five."])
ADDED_AFTER_FOUR = with_paragraphs([*BASE_PARAGRAPHS[:5], "New.", "Five."])


@pytest.mark.parametrize(
    ("ours", "theirs", "overlaps"),
    [
        (edited((2, "Two, ours.")), edited((2, "Two, theirs.")), True),
        (edited((2, "Two, ours.")), edited((3, "Three, theirs.")), False),
        (edited((2, "Two, both.")), edited((2, "Two, both.")), False),
        (ADDED_AFTER_FOUR, edited((4, "Four, theirs.")), False),
        (ADDED_AFTER_FOUR, edited((5, "Five, theirs.")), False),
        (MOVED_ONE, edited((3, "Three, theirs.")), False),
        (MOVED_ONE, edited((1, "One, theirs.")), True),
        (BASE + "\nOurs at the end.\n", BASE + "\nTheirs at the end.\n", True),
        ("Ours first.\n\n" + BASE, BASE + "\nTheirs at the end.\n", False),
        (edited((2, "")), edited((3, "Three, theirs.")), False),
        (edited((2, "")), edited((1, "One, theirs.")), False),
        (edited((2, "")), edited((2, "Two, theirs.")), True),
    ],
    ids=[
        "same paragraph",
        "neighbouring paragraphs",
        "the same change twice",
        "a paragraph added after one the other changes",
        "a paragraph added before one the other changes",
        "a moved paragraph and another one changed",
        "a moved paragraph that the other changes",
        "different paragraphs added at the same place",
        "paragraphs added at different places",
        "a removed paragraph and the next one changed",
        "a removed paragraph and the one before changed",
        "a removed paragraph that the other changes",
    ],
)
def test_what_overlaps_is_decided_paragraph_by_paragraph(ours, theirs, overlaps):
    result = merge(BASE, ours, theirs)

    assert (not result.clean) == overlaps


def test_a_clean_merge_keeps_both_changes_in_place():
    result = merge(BASE, edited((2, "Two, ours.")), ADDED_AFTER_FOUR)

    assert result.text() == with_paragraphs(
        ["Zero.", "One.", "Two, ours.", "Three.", "Four.", "New.", "Five."]
    )


def test_an_overlap_is_written_between_conflict_markers_with_both_wordings():
    result = merge(BASE, edited((2, "Two, ours.")), edited((2, "Two, theirs.")))

    assert [(c.first, c.last) for c in result.conflicts] == [(3, 3)]
    assert "<<<<<<< mine\nTwo, ours.\n=======\nTwo, theirs.\n>>>>>>> yours" in result.text(
        ours_name="mine", theirs_name="yours"
    )
    assert result.text().startswith("Zero.\n\nOne.\n\n<<<<<<< ")
