"""The demo's moderation chapter: power granted in public, used in public, contested in public.

Told through the real services after the rest of the story (news/demo.py), at the moments it
happens: the installer grants moderator power (one grant has lapsed by now), a comment that mocks
a member is reported and hidden, its author appeals and the act is upheld; a post hidden as
advertising is restored on appeal by another moderator.
"""

from agreements.amendments.services import post_comment
from agreements.models import Agreement, Amendment
from members.models import User
from news.models import NewsItem

from . import services

WORDS = {
    "en": {
        "grant_reason": "Chosen at the monthly meeting to look after the discussions for a term.",
        "mocking": "Gleb never lends anything himself, so why would anyone listen to him "
        "about deposits?",
        "report": "This is about Gleb, not about the deposit.",
        "hide_reason": "The comment mocks a member instead of discussing the proposal.",
        "appeal": "I was cross, but my point was about the deposit. I will write it again "
        "without the remark about Gleb.",
        "upheld": "Upheld: the comment is about a person. Your point about the deposit is "
        "welcome in a new comment.",
        "advert_reason": "Looks like advertising for a shop.",
        "advert_appeal": "It is not advertising: the seed swap is our own event, nothing is sold.",
        "reversed": "Reversed: the seed swap is a community event, so the post is news.",
    },
    "ru": {
        "grant_reason": "Выбраны на ежемесячной встрече, чтобы следить за обсуждениями в "
        "течение срока.",
        "mocking": "Глеб сам никогда ничего не даёт, так с чего его слушать про залог?",
        "report": "Это про Глеба, а не про залог.",
        "hide_reason": "Комментарий насмехается над участником вместо обсуждения предложения.",
        "appeal": "Я погорячилась, но речь была о залоге. Напишу снова, без слов о Глебе.",
        "upheld": "Оставлено в силе: комментарий о человеке. Ваше мнение о залоге можно "
        "написать в новом комментарии.",
        "advert_reason": "Похоже на рекламу магазина.",
        "advert_appeal": "Это не реклама: обмен семенами — наше собственное событие, ничего "
        "не продаётся.",
        "reversed": "Отменено: обмен семенами — событие сообщества, значит, это новость.",
    },
}  # fmt: skip


def cite(slug, paragraph):
    """The permanent link of paragraph `paragraph` of the version of `slug` in force."""
    agreement = Agreement.objects.get(slug=slug)
    return f"{agreement.version_url(agreement.version)}#p-{paragraph}"


# Paragraphs of the standard "Power is public and accountable" and of the demo's "Discussion
# manners" (the same in both languages).
GRANTS, APPEALS = 9, 11
ABOUT_THE_PROPOSAL, THE_NEWS = 2, 3


def tell(story):
    """Run after the main story; `story` is news.demo.Story (people, times, language)."""
    words = WORDS[story.language]
    installer = User.objects.get(username="installer")

    for name, days in (("gleb", 120), ("anna", 60), ("fatima", 20)):
        services.grant_power(
            installer=installer,
            member=story.person(name),
            reason=words["grant_reason"],
            clause=cite("public-power", GRANTS),
            now=story.at(days),
        )

    deposit = Amendment.objects.filter(agreement__slug="tool-library").latest("proposed_at")
    mocking = post_comment(
        amendment=deposit, author=story.person("hana"), body=words["mocking"], now=story.at(8.6)
    )
    services.file_report(
        reporter=story.person("gleb"),
        target="comment",
        row=mocking,
        reason=words["report"],
        now=story.at(8.4),
    )
    hidden = services.act(
        moderator=story.person("anna"),
        act="hide",
        target="comment",
        pk=mocking.pk,
        reason=words["hide_reason"],
        clause=cite("manners", ABOUT_THE_PROPOSAL),
        now=story.at(8.2),
    )
    services.post_appeal(
        action=hidden, author=story.person("hana"), body=words["appeal"], now=story.at(8.0)
    )
    services.post_appeal(
        action=hidden,
        author=story.person("fatima"),
        body=words["upheld"],
        decision="upheld",
        now=story.at(7.5),
    )

    seeds_post = NewsItem.objects.filter(kind="post", author=story.person("gleb")).latest(
        "published_at"
    )
    advert = services.act(
        moderator=story.person("anna"),
        act="hide",
        target="post",
        pk=seeds_post.pk,
        reason=words["advert_reason"],
        clause=cite("manners", THE_NEWS),
        now=story.at(1.4),
    )
    services.post_appeal(
        action=advert, author=story.person("gleb"), body=words["advert_appeal"], now=story.at(1.2)
    )
    services.post_appeal(
        action=advert,
        author=story.person("fatima"),
        body=words["reversed"],
        decision="reversed",
        clause=cite("public-power", APPEALS),
        now=story.at(1.0),
    )
    services.end_lapsed_grants(now=story.now)
