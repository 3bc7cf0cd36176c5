"""English and Russian are both complete: every string in the code has a Russian translation."""

import shutil
from pathlib import Path

import polib
import pytest
from django.conf import settings
from django.core.management import call_command

CATALOGUE = Path(settings.BASE_DIR) / "config" / "locale" / "ru" / "LC_MESSAGES" / "django.po"


def test_every_russian_entry_is_translated_and_none_is_fuzzy():
    catalogue = polib.pofile(str(CATALOGUE))

    assert [e.msgid for e in catalogue.untranslated_entries()] == []
    assert [e.msgid for e in catalogue.fuzzy_entries()] == []


@pytest.mark.skipif(
    not shutil.which("xgettext"), reason="needs GNU gettext (apt-get install gettext)"
)
def test_the_catalogue_holds_every_string_of_the_code(tmp_path, settings, monkeypatch):
    """Run `makemessages` on a scratch copy of the project: it must find nothing new to translate.

    Everything happens in the copy, since makemessages writes to every `locale` folder it meets.
    """
    base = Path(settings.BASE_DIR)
    for folder in (
        "agreements",
        "members",
        "occasions",
        "news",
        "spreading",
        "search",
        "api",
        "moderation",
        "config",
        "templates",
    ):
        shutil.copytree(base / folder, tmp_path / folder, ignore=shutil.ignore_patterns("*.mo"))
    monkeypatch.chdir(tmp_path)
    settings.LOCALE_PATHS = [tmp_path / "config" / "locale"]

    call_command("makemessages", locale=["ru"], verbosity=0)

    fresh = polib.pofile(str(tmp_path / "config" / "locale" / "ru" / "LC_MESSAGES" / "django.po"))
    missing = [e.msgid for e in fresh if not e.obsolete and not e.translated()]
    assert missing == [], "run `make messages` and translate these"
    assert polib.pofile(str(CATALOGUE)).obsolete_entries() == [], "the real catalogue was touched"


def test_the_interface_speaks_russian_when_asked(client, community):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "ru"

    page = client.get("/agreements/").content.decode()

    assert '<html lang="ru">' in page
    assert "Соглашения" in page
    assert "Действующие" in page


def test_the_language_switcher_sets_a_cookie_and_keeps_the_address(client, community):
    response = client.post("/i18n/setlang/", {"language": "ru", "next": "/agreements/"})

    assert response.status_code == 302
    assert response["Location"] == "/agreements/"
    assert response.cookies[settings.LANGUAGE_COOKIE_NAME].value == "ru"
    assert "Соглашения" in client.get("/agreements/").content.decode()
