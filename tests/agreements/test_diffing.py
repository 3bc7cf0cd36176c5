from agreements import diffing
from agreements.diffing import compare


def shown(diff):
    """The diff as a plain list of (kind, html), folds expanded with a marker."""
    out = []
    for part in diff.parts:
        if part.kind == "fold":
            out.append(("fold", len(part.blocks)))
        else:
            out.append((part.kind, part.html))
    return out


def test_identical_texts_have_no_changes():
    diff = compare("One.\n\nTwo.", "One.\n\nTwo.")

    assert not diff.has_changes
    assert (diff.words_added, diff.words_removed) == (0, 0)


def test_a_replaced_word_is_shown_inline_in_its_paragraph():
    diff = compare("Members vote for seven days.", "Members vote for ten days.")

    assert shown(diff) == [("change", "Members vote for <del>seven</del><ins>ten</ins> days.")]
    assert (diff.words_added, diff.words_removed) == (1, 1)


def test_a_rewritten_phrase_reads_as_one_edit_not_word_by_word():
    diff = compare("We meet every first Monday.", "We meet on the last Friday.")

    assert shown(diff) == [
        ("change", "We meet <del>every first Monday</del><ins>on the last Friday</ins>.")
    ]


def test_added_and_removed_paragraphs():
    diff = compare("Keep.\n\nGone.", "Keep.\n\nNew one.\n\nAnd another.")

    assert shown(diff) == [
        ("equal", "Keep."),
        ("delete", "<del>Gone.</del>"),
        ("insert", "<ins>New one.</ins>"),
        ("insert", "<ins>And another.</ins>"),
    ]
    assert diff.words_added == 4
    assert diff.words_removed == 1


def test_pure_insertion_and_deletion_of_paragraphs():
    inserted = compare("A.\n\nC.", "A.\n\nB.\n\nC.")
    deleted = compare("A.\n\nB.\n\nC.", "A.\n\nC.")

    assert shown(inserted) == [("equal", "A."), ("insert", "<ins>B.</ins>"), ("equal", "C.")]
    assert shown(deleted) == [("equal", "A."), ("delete", "<del>B.</del>"), ("equal", "C.")]


def test_markup_in_texts_is_escaped():
    diff = compare("Say <b>hi</b>.", "Say <script>alert(1)</script>.")

    assert shown(diff) == [
        (
            "change",
            "Say &lt;<del>b</del><ins>script</ins>&gt;<del>hi</del><ins>alert(1)</ins>"
            "&lt;/<del>b</del><ins>script</ins>&gt;.",
        )
    ]


def test_long_unchanged_stretches_fold_with_one_paragraph_of_context():
    old = "\n\n".join(f"Paragraph {n}." for n in range(1, 21))
    new = old.replace("Paragraph 10.", "Paragraph ten.")

    parts = shown(compare(old, new))

    assert parts == [
        ("fold", 8),
        ("equal", "Paragraph 9."),
        ("change", "Paragraph <del>10</del><ins>ten</ins>."),
        ("equal", "Paragraph 11."),
        ("fold", 9),
    ]


def test_line_endings_and_extra_blank_lines_do_not_count_as_changes():
    diff = compare("One.\r\n\r\nTwo.\r\n", "One.\n\n\n\nTwo.")

    assert not diff.has_changes


def test_a_reworded_paragraph_among_added_ones_is_still_paired():
    diff = compare(
        "Intro.\n\nThe garden opens at nine.",
        "Intro.\n\nA new rule.\n\nThe garden opens at ten.",
    )

    assert shown(diff) == [
        ("equal", "Intro."),
        ("insert", "<ins>A new rule.</ins>"),
        ("change", "The garden opens at <del>nine</del><ins>ten</ins>."),
    ]


def test_huge_changed_paragraph_falls_back_to_whole_paragraph(monkeypatch):
    monkeypatch.setattr(diffing, "WORD_DIFF_BUDGET", 100)
    old = " ".join(f"w{n}" for n in range(50))
    new = " ".join(f"x{n}" for n in range(50))

    parts = shown(compare(old, new))

    assert parts == [("delete", f"<del>{old}</del>"), ("insert", f"<ins>{new}</ins>")]
