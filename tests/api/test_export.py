"""The whole-community export, and another instance founding itself from it."""

import io
import json
import tarfile
import urllib.request

import pytest
from django.core.management import CommandError, call_command

from agreements.models import Agreement, Community, Edition, Procedure
from agreements.services import publish_version, repeal_agreement
from tests.factories import make_agreement


def members_of(archive_bytes):
    with tarfile.open(fileobj=io.BytesIO(archive_bytes), mode="r:gz") as tar:
        return {m.name: tar.extractfile(m).read().decode() for m in tar if m.isfile()}


def download(response):
    return b"".join(response.streaming_content)


def test_the_export_holds_every_version_of_every_agreement_with_metadata(client, community):
    tools = make_agreement(title="Tool library", body="Lend for a week.\n")
    publish_version(agreement=tools, body="Lend for two weeks.\n", note="Longer.")
    old = make_agreement(title="Old rule", body="Something.\n")
    repeal_agreement(agreement=old, note="No longer needed.")

    response = client.get("/api/export.tar.gz")

    assert response.status_code == 200
    assert response["Content-Type"] == "application/gzip"
    assert response["Access-Control-Allow-Origin"] == "*"
    assert 'filename="test-commons-export.tar.gz"' in response["Content-Disposition"]
    files = members_of(download(response))
    manifest = json.loads(files["soglasie-export/community.json"])
    assert manifest["name"] == "Test Commons" and manifest["format"] == 1
    assert manifest["procedure"]["set_by"] == "amendments"
    listed = {a["slug"]: a for a in manifest["agreements"]}
    assert listed[tools.slug]["versions"] == 2
    assert listed[old.slug]["status"] == "repealed" and listed[old.slug]["repealed_at"]
    v1 = files[f"soglasie-export/agreements/{tools.slug}/v1.md"]
    assert v1.startswith(f"---\nslug: {tools.slug}\ntitle: Tool library\nversion: 1\n")
    assert v1.endswith("Lend for a week.\n")
    v2 = files[f"soglasie-export/agreements/{tools.slug}/v2.md"]
    assert "note: Longer.\n" in v2
    assert f"url: http://testserver/agreements/{tools.slug}/v/2/\n" in v2


def test_the_export_answers_304_until_something_changes(client, community):
    first = client.get("/api/export.tar.gz")

    assert (
        client.get("/api/export.tar.gz", headers={"if-none-match": first["ETag"]}).status_code
        == 304
    )
    make_agreement(title="New one")
    assert (
        client.get("/api/export.tar.gz", headers={"if-none-match": first["ETag"]}).status_code
        == 200
    )


@pytest.fixture
def hillside_export(hillside, tmp_path):
    path = tmp_path / "hillside.tar.gz"
    with urllib.request.urlopen(f"{hillside.url}/api/export.tar.gz", timeout=10) as response:  # noqa: S310
        path.write_bytes(response.read())
    return path


def api(url):
    with urllib.request.urlopen(url, timeout=10) as response:  # noqa: S310
        return json.loads(response.read())


@pytest.mark.django_db
def test_another_instance_founds_itself_from_the_export(client, hillside, hillside_export):
    call_command("import_community", str(hillside_export), stdout=io.StringIO())

    assert Community.current().name == "Hillside"
    theirs = api(f"{hillside.url}/api/agreements/quiet-hours/history/")["items"]
    ours = client.get("/api/agreements/quiet-hours/history/").json()["items"]
    assert [(v["version"], v["title"], v["change_note"], v["effective_at"]) for v in ours] == [
        (v["version"], v["title"], v["change_note"], v["effective_at"]) for v in theirs
    ]
    quiet = Agreement.objects.get(slug="quiet-hours")
    their_text = api(f"{hillside.url}/api/agreements/quiet-hours/")["body"]
    assert quiet.body == their_text
    assert Agreement.objects.get(is_idea=True).title == "Hillside's idea"
    assert Procedure.current().agreement.slug == "amendments"
    assert Edition.current_number() >= 3
    assert client.get("/").status_code == 200


@pytest.mark.django_db
def test_import_refuses_a_founded_site_and_changes_nothing(community, hillside_export):
    count = Agreement.history.count()

    with pytest.raises(CommandError, match="already been founded"):
        call_command("import_community", str(hillside_export))

    assert Community.current().name == "Test Commons"
    assert Agreement.history.count() == count


def _rewrite(source, target, *, drop=None, change=None):
    with tarfile.open(source, "r:gz") as old, tarfile.open(target, "w:gz") as new:
        for member in old:
            if drop and member.name.endswith(drop):
                continue
            data = old.extractfile(member).read()
            if change and member.name.endswith(change[0]):
                data = change[1](data)
            member.size = len(data)
            new.addfile(member, io.BytesIO(data))


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("damage", "message"),
    [
        ({"drop": "quiet-hours/v2.md"}, "Version 2 of “quiet-hours” is missing."),
        ({"drop": "community.json"}, "has no community.json"),
        (
            {"change": ("quiet-hours/v2.md", lambda d: d.replace(b"version: 2", b"version: 7"))},
            "does not say what it is",
        ),
        (
            {"change": ("community.json", lambda d: d.replace(b'"format": 1', b'"format": 9'))},
            "format 9",
        ),
        ({"change": ("community.json", lambda d: b"{broken")}, "not valid JSON"),
    ],
)
def test_a_malformed_export_is_refused_and_nothing_is_half_imported(
    hillside_export, tmp_path, damage, message
):
    damaged = tmp_path / "damaged.tar.gz"
    _rewrite(hillside_export, damaged, **damage)

    with pytest.raises(CommandError, match=message):
        call_command("import_community", str(damaged))

    assert not Community.objects.exists()
    assert not Agreement.objects.exists()


@pytest.mark.django_db
def test_a_file_that_is_no_archive_is_refused(tmp_path):
    path = tmp_path / "notes.tar.gz"
    path.write_text("just notes")

    with pytest.raises(CommandError, match="not a community export"):
        call_command("import_community", str(path))
