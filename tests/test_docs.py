"""The README and docs/ stand on their own for someone who has only the clone."""

import re
from pathlib import Path

from django.conf import settings

from tests.factories import make_member

BASE = Path(settings.BASE_DIR)


def _docs():
    return [BASE / "README.md", *sorted((BASE / "docs").glob("*.md"))]


def test_the_docs_point_only_to_files_the_clone_has():
    for doc in _docs():
        text = doc.read_text()
        assert "../shared" not in text, doc
        for target in re.findall(r"\]\(((?!https?:|#)[^)\s]+)\)", text):
            assert (doc.parent / target).exists(), f"{doc.name} links to missing {target}"
    assert (BASE / "docs" / "design.md").exists()


def test_the_readme_shows_screenshots_that_exist():
    shown = re.findall(r"\((docs/screenshots/[^)]+\.png)\)", (BASE / "README.md").read_text())

    assert len(shown) == 3
    for path in shown:
        assert (BASE / path).exists(), path


def test_the_proposal_addresses_in_the_readme_work(client, community):
    client.force_login(make_member("alice"))
    readme = (BASE / "README.md").read_text()
    addresses = re.findall(r"`(\?kind=(?:change|repeal)[^`]*)`", readme)

    assert {"change", "repeal"} == {re.match(r"\?kind=(\w+)", a).group(1) for a in addresses}
    for address in addresses:
        url = "/amendments/new/" + address.replace("<slug>", "public-agreements")
        assert client.get(url).status_code == 200, url
