from agreements import diffing
from agreements.diffing import compare
from tests.html_checks import attribute_text, problems


def shown(diff, side="source"):
    """The diff as a plain list of (kind, html), folds as a marker; `side` is "source" (the
    marked Markdown) or "html" (the marked rendered text)."""
    out = []
    for part in diff.parts:
        if part.kind == "fold":
            out.append(("fold", len(part.blocks)))
        else:
            out.append((part.kind, getattr(part, side)))
    return out


def rendered(diff):
    return shown(diff, "html")


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


def test_the_rendered_side_shows_markdown_as_the_reader_sees_it():
    diff = compare("**Deposit.** A quarter of the price.", "**Deposit.** A tenth of the *price*.")

    assert rendered(diff) == [
        (
            "change",
            "<p><strong>Deposit.</strong> A <del>quarter</del><ins>tenth</ins> of the "
            "<em>price</em>.</p>",
        )
    ]
    assert shown(diff) == [
        ("change", "**Deposit.** A <del>quarter</del><ins>tenth</ins> of the <ins>*</ins>price"
         "<ins>*</ins>.")
    ]  # fmt: skip


def test_whole_paragraphs_added_and_removed_are_rendered_and_marked():
    diff = compare("Keep.\n\n**Gone for good.**", "Keep.\n\nNew **one**.")

    assert rendered(diff) == [
        ("equal", "<p>Keep.</p>"),
        ("delete", "<p><strong><del>Gone for good.</del></strong></p>"),
        ("insert", "<p><ins>New </ins><strong><ins>one</ins></strong><ins>.</ins></p>"),
    ]


def test_a_removed_list_item_keeps_its_own_item():
    diff = compare("- apples\n- pears\n- plums", "- apples\n- plums")

    assert rendered(diff) == [
        ("change", "<ul>\n<li>apples</li>\n<li><del>pears</del></li>\n<li>plums</li>\n</ul>")
    ]


def test_a_change_of_emphasis_alone_is_pointed_out():
    diff = compare("Deposit. Pay it.", "**Deposit.** Pay it.")

    [part] = diff.parts
    assert part.html == "<p><strong>Deposit.</strong> Pay it.</p>"
    assert part.only_formatting
    assert part.source == "<ins>**</ins>Deposit.<ins>**</ins> Pay it."


def test_the_rendered_side_stays_sanitised():
    diff = compare(
        "See [the list](https://example.org).",
        "See [the list](javascript:alert(1)) <script>alert(2)</script>.",
    )

    html = "".join(part.html for part in diff.parts)
    assert [p for p in problems(html) if p not in ("tag <ins>", "tag <del>")] == []
    assert "javascript" not in attribute_text(html)
    assert "&lt;script&gt;" in html


def test_a_fenced_code_block_with_blank_lines_is_one_paragraph():
    diff = compare("```\ncode\n\nmore\n```", "```\ncode\n\nless\n```")

    assert rendered(diff) == [
        ("change", "<pre><code>code\n\n<del>more</del><ins>less</ins>\n</code></pre>")
    ]
