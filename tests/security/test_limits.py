"""Every form's size limit is its column's: a test walks every form of the project and every
field that is stored, and one value over each limit is refused next to its field, keeping the
rest of what was typed, writing nothing."""

import pytest
from django import forms
from django.contrib.auth import get_user_model

import agreements.admin
import agreements.borrowing.forms
import agreements.forms
import members.forms
import moderation.forms
import news.forms
import occasions.forms
from agreements.models import Agreement, Amendment, Comment, Community
from moderation.models import AppealMessage, ModerationAction, Report
from moderation.services import grant_power
from news.models import NewsItem
from occasions.models import Answer, Nomination, Occasion
from tests.factories import make_agreement, make_amendment, make_member
from tests.forms import form_in

User = get_user_model()
OUR_MODULES = ("agreements.", "members.", "news.", "moderation.", "occasions.", "config.")


def _subclasses(cls):
    for sub in cls.__subclasses__():
        yield sub
        yield from _subclasses(sub)


def our_forms():
    modules = (
        agreements.forms,
        agreements.admin,
        agreements.borrowing.forms,
        members.forms,
        news.forms,
        moderation.forms,
        occasions.forms,
    )
    assert modules  # imported: every form class of the project is now defined
    return sorted(
        {form for form in _subclasses(forms.BaseForm) if form.__module__.startswith(OUR_MODULES)},
        key=lambda form: form.__qualname__,
    )


F, M, B = agreements.forms, moderation.forms, agreements.borrowing.forms
# (form, field) -> the model field it is stored in. ModelForms map themselves.
COLUMNS = {
    (F.FoundingForm, "name"): (Community, "name"),
    (F.FoundingForm, "idea_title"): (Agreement, "title"),
    (F.FoundingForm, "idea_body"): (Agreement, "body"),
    (F.AmendmentForm, "title"): (Amendment, "title"),
    (F.AmendmentForm, "proposed_title"): (Amendment, "proposed_title"),
    (F.AmendmentForm, "proposed_summary"): (Amendment, "proposed_summary"),
    (F.AmendmentForm, "body"): (Amendment, "body"),
    (F.AmendmentForm, "rationale"): (Amendment, "rationale"),
    (F.AmendmentForm, "source_url"): (Amendment, "source_url"),
    (F.AmendmentForm, "source_version"): (Amendment, "source_version"),
    (F.AmendmentForm, "note"): (Amendment, "revision_note"),
    (F.CommentForm, "body"): (Comment, "body"),
    (B.BorrowForm, "address"): (Amendment, "source_url"),
    (B.BorrowForm, "title"): (Amendment, "title"),
    (B.BorrowForm, "rationale"): (Amendment, "rationale"),
    # The export's text is parsed; its body becomes the proposed text, bounded by the file limit.
    (B.UpdateForm, "title"): (Amendment, "title"),
    (B.UpdateForm, "body"): (Amendment, "body"),
    (B.UpdateForm, "rationale"): (Amendment, "rationale"),
    (news.forms.PostForm, "title"): (NewsItem, "title"),
    (occasions.forms.OccasionForm, "title"): (Occasion, "title"),
    (occasions.forms.OccasionForm, "description"): (Occasion, "description"),
    (occasions.forms.OccasionForm, "place"): (Occasion, "place"),
    (occasions.forms.NominationForm, "statement"): (Nomination, "statement"),
    (occasions.forms.AnswerForm, "question"): (Answer, "question"),
    (occasions.forms.AnswerForm, "answer"): (Answer, "answer"),
    (news.forms.PostForm, "body"): (NewsItem, "body"),
    (agreements.admin.CommunityForm, "reason"): (ModerationAction, "reason"),
    (M.ActForm, "reason"): (ModerationAction, "reason"),
    (M.ActForm, "clause"): (ModerationAction, "clause_url"),
    (M.AppealForm, "body"): (AppealMessage, "body"),
    (M.AppealForm, "clause"): (ModerationAction, "clause_url"),
    (M.ReportForm, "reason"): (Report, "reason"),
    (M.DismissForm, "note"): (Report, "outcome_note"),
    (members.forms.FollowForm, "agreement"): (Agreement, "slug"),
    (members.forms.FollowForm, "member"): (User, "username"),
    (members.forms.LoginForm, "username"): (User, "username"),
}
# Text fields that are never stored as typed (passwords are hashed).
NOT_STORED = {"password", "password1", "password2", "export_text", "as_of"}


def _instance(form):
    """An unbound instance, with what each form needs to build its fields."""
    kwargs = {
        F.AmendmentForm: {"kind": "new", "revising": True},
        F.CompareForm: None,
        M.ActForm: {"choices": [("suspend:member", "x")]},
        M.AppealForm: {"deciding": True},
    }.get(form, {})
    return None if kwargs is None else form(**kwargs)


def _column(form, name):
    for (klass, field), column in COLUMNS.items():
        if issubclass(form, klass) and field == name:
            return column
    meta = getattr(form, "_meta", None)
    if meta is not None and getattr(meta, "model", None) is not None:
        return meta.model, name
    return None


@pytest.mark.django_db
def test_every_text_field_of_every_form_has_its_columns_limit(community):
    checked = 0
    for form in our_forms():
        instance = _instance(form)
        if instance is None:
            continue
        for name, field in instance.fields.items():
            if not isinstance(field, forms.CharField) or name in NOT_STORED:
                continue
            column = _column(form, name)
            assert column is not None, f"{form.__qualname__}.{name} is stored where?"
            model, model_field = column
            limit = model._meta.get_field(model_field).max_length
            assert limit is not None, f"{model.__name__}.{model_field} has no limit"
            assert field.max_length == limit, (
                f"{form.__qualname__}.{name}: form {field.max_length}, column {limit}"
            )
            checked += 1
    assert checked >= 30


@pytest.fixture
def world(community, superuser):
    garden = make_agreement(title="Garden", body="Beds.\n\nWater.\n")
    alice = make_member("alice")
    bob = make_member("bob")
    amendment = make_amendment(author=alice, agreement=garden)
    from agreements.amendments.services import post_comment

    comment = post_comment(amendment=amendment, author=bob, body="Hi.")
    grant_power(
        installer=superuser, member=alice, reason="r", clause="/agreements/public-power/v/1/#p-9"
    )
    return {"alice": alice, "bob": bob, "amendment": amendment, "comment": comment}


def _over(column):
    model, name = column
    return "x" * (model._meta.get_field(name).max_length + 1)


NEW = "/amendments/new/?kind=new"
ACT = "/moderation/act/comment/{comment.pk}/"
# page, who, which form (a field it has), field, column
OVERSIZE = [
    (NEW, "alice", "rationale", "title", (Amendment, "title")),
    (NEW, "alice", "rationale", "proposed_title", (Amendment, "proposed_title")),
    (NEW, "alice", "rationale", "proposed_summary", (Amendment, "proposed_summary")),
    (NEW, "alice", "rationale", "body", (Amendment, "body")),
    (NEW, "alice", "rationale", "rationale", (Amendment, "rationale")),
    (NEW, "alice", "rationale", "source_version", (Amendment, "source_version")),
    ("/amendments/{amendment.pk}/edit/", "alice", "note", "note", (Amendment, "revision_note")),
    ("{amendment_url}", "bob", "body", "body", (Comment, "body")),
    ("/news/new/", "alice", "body", "title", (NewsItem, "title")),
    ("/news/new/", "alice", "body", "body", (NewsItem, "body")),
    ("/members/bob/settings/", "bob", "bio", "display_name", (User, "display_name")),
    ("/members/bob/settings/", "bob", "bio", "bio", (User, "bio")),
    ("/members/bob/settings/", "bob", "bio", "volunteer_offer", (User, "volunteer_offer")),
    (ACT, "alice", "reason", "reason", (ModerationAction, "reason")),
    (ACT, "alice", "reason", "clause", (ModerationAction, "clause_url")),
    ("/moderation/report/comment/{comment.pk}/", "alice", "reason", "reason", (Report, "reason")),
]
WRITTEN = (Amendment, Comment, NewsItem, ModerationAction, Report)
TYPED = {
    "title": "A title",
    "proposed_title": "New one",
    "body": "Some text.",
    "rationale": "Because.",
    "note": "A note",
    "reason": "A reason",
    "clause": "/agreements/public-power/v/1/#p-3",
    "act": "hide:comment",
    "bio": "About me",
}


@pytest.mark.parametrize(("page", "who", "form", "field", "column"), OVERSIZE)
def test_one_character_over_a_limit_is_refused_next_to_the_field(
    client, world, page, who, form, field, column
):
    client.force_login(world[who])
    page = page.format(amendment_url=world["amendment"].get_absolute_url(), **world)
    rendered = form_in(client.get(page).content.decode(), containing=form)
    typed = {name: value for name, value in TYPED.items() if name in rendered.fields}
    if "act" in rendered.choices:
        typed["act"] = "hide:comment"
    before = [model.objects.count() for model in WRITTEN]

    response = client.post(
        (rendered.action or page).split("#")[0] or page,
        rendered.data(**{**typed, field: _over(column)}),
    )

    limit = column[0]._meta.get_field(column[1]).max_length
    text = response.content.decode()
    assert response.status_code in (200, 400)
    assert f"Ensure this value has at most {limit:,}".replace(",", "") in text.replace(",", "")
    assert [
        m.objects.count() for m in (Amendment, Comment, NewsItem, ModerationAction, Report)
    ] == before
    kept = [value for name, value in typed.items() if name not in (field, "act", "clause")]
    for value in kept:
        assert value in text, f"{value!r} was lost"
