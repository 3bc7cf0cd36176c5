"""The demo community: a year in the life of Riverside Commons, told in order.

Every step goes through the same services the site uses, at the moment it happens in the story,
with `advance` run between steps: so the history, the counters, the roles and the news are those
the site would have produced. The story runs once, on a database that has not been founded;
`seed_demo` on a founded site does nothing (it must never touch a real community).
"""

from datetime import timedelta

from django.conf import settings
from django.utils import timezone
from django.utils.module_loading import import_string

from agreements import demo as texts
from agreements.amendments import services as amendments
from agreements.amendments.advancing import advance_amendments
from agreements.borrowing.services import record_source_export
from agreements.borrowing.sources import from_export
from agreements.diffing import paragraphs
from agreements.models import Agreement, Amendment, Collision
from agreements.services import is_founded
from members import demo as people_demo
from members.services import accept_agreements, follow, leave, record_follow
from occasions import accounts as occasion_accounts
from occasions import services as occasions
from occasions.models import Occasion

from .services import publish_post

STORY = {
    "en": {
        "a1": ("Longer opening hours and borrowing at the shed",
               "Many of us work on Saturdays. A weekday evening and borrowing at the shed make the "
               "library usable for everyone."),
        "a1_comment": "Wednesday evenings would help those of us who work on Saturdays.",
        "a1_reply": "Agreed, and one hour is enough to start with.",
        "a6": ("A morning watering rota",
               "Evening watering was not enough in July: the beds dried out by noon."),
        "a2": ("Simpler returns", "Nobody used the paper list; marking returns on the site is "
               "enough, and owners get a notice anyway."),
        "a2_comment": "Good: the paper list was always out of date.",
        "a3": ("Quiet hours from 21:00", "Children on our street go to bed early."),
        "a4": ("Bicycle repair corner", "A corner of the shed for fixing bicycles together."),
        "a4_body": "A corner of the tool shed is kept for repairing bicycles.\n\n"
                   "Members who repair bicycles there clean up after themselves.\n",
        "a4_comment": "I withdraw this for now: the shed is too small until we clear it.",
        "a5": ("Water only in the evening, every day",
               "Morning watering is too early for most of us."),
        "a5_watering": "**Watering rota.** The garden is watered every evening from May to "
                       "September, whatever the weather. Members sign up on the rota posted on "
                       "the site.",
        "a9": ("Bicycle repair corner, second try",
               "The shed was cleared in the autumn; there is room now."),
        "a7": ("A smaller deposit, and none for trusted borrowers",
               "A quarter of the price is a lot for a drill; those who always bring tools back "
               "should not pay at all."),
        "a7_comment": "Five returns seems a fair threshold.",
        "a7_reply": "Could we say three? Most of us borrow rarely.",
        "a8": ("Seed library", "Let us share seeds the way we share tools."),
        "a8_title": "Seed library",
        "a8_body": "Members share seeds in a box kept in the tool shed.\n\n"
                   "Whoever takes seeds brings back seeds from their harvest when they can.\n",
        "a10": ("Monthly meeting", "Write down how our monthly meeting works, so newcomers "
                "know what to expect."),
        "a10_title": "Monthly meeting",
        "a10_body": "The community meets on the first Saturday of every month at the hall.\n\n"
                    "Anyone may come; nothing is decided at the meeting that the agreements "
                    "say must be decided by amendment.\n",
        "post_welcome": ("Welcome to Riverside Commons",
                         "We are live. Read the agreements, accept them if they suit you, and "
                         "**follow the news**: that is all we ask.\n\nThe first meeting is on "
                         "Saturday at the hall."),
        "post_wednesdays": ("The tool shed now opens on Wednesdays",
                            "From this week the shed is open on Wednesdays from 18:00 to 19:00, "
                            "as the amendment adopted last week says."),
        "post_seeds": ("Seed swap on Saturday",
                       "Bring the seeds you saved; take what you need. We will also talk about "
                       "the proposed seed library."),
        "a11": ("No deposit at all", "A deposit keeps newcomers away; trust is enough, and "
                "Damage and loss already says who answers for a broken tool."),
        "a11_deposit": "**Deposit.** No deposit is asked for any tool. The borrower answers for "
                       "the tool as set out under Damage and loss.",
        "fair": ("A stall at the spring fair",
                 "The town's spring fair gives every neighbourhood association a table for the "
                 "day. Who will stand at ours and speak for Riverside Commons?",
                 "Market square, by the fountain"),
        "fair_hana": "I have kept the seed box for years and I like talking to people.",
        "fair_gleb": "I can explain the tool library better than anyone.",
        "fair_account": [
            ("Who is your leader?",
             "We have none: no one runs Riverside Commons, and everything we have agreed is in "
             "our public agreements ({idea_leader})."),
            ("Can I borrow a drill without joining?",
             "Borrowing is for members ({tools_borrowing}), and anyone nearby can join by "
             "accepting the agreements ({idea_join})."),
            ("Who chose you to speak for everyone?",
             "The members did, by a simple vote for this one fair. I can only say what our "
             "agreements say ({speaker_rule})."),
        ],
        "gazette": ("Interview with the Riverside Gazette",
                    "The local paper wants a short interview about the tool library and the "
                    "garden.", "Riverside Gazette office"),
        "gazette_fatima": "I wrote the returns rule and can say how the library works today.",
    },
    "ru": {
        "a1": ("Дольше часы работы и выдача в сарае",
               "Многие из нас работают по субботам. Вечер в будний день и выдача прямо в сарае "
               "сделают библиотеку доступной всем."),
        "a1_comment": "Вечер среды помог бы тем, кто работает по субботам.",
        "a1_reply": "Согласна, и для начала хватит одного часа.",
        "a6": ("Утренний полив", "Вечернего полива в июле не хватило: к полудню грядки сохли."),
        "a2": ("Проще возврат", "Бумажным списком никто не пользовался; достаточно отметки "
               "на сайте, владелец всё равно получает уведомление."),
        "a2_comment": "Хорошо: бумажный список всегда был устаревшим.",
        "a3": ("Часы тишины с 21:00", "Дети на нашей улице рано ложатся спать."),
        "a4": ("Уголок ремонта велосипедов", "Угол сарая для совместного ремонта велосипедов."),
        "a4_body": "Угол сарая для инструментов отведён под ремонт велосипедов.\n\n"
                   "Кто чинит там велосипед, убирает за собой.\n",
        "a4_comment": "Пока отзываю: сарай слишком тесный, пока мы его не разберём.",
        "a5": ("Поливать только вечером, каждый день", "Утренний полив слишком ранний для "
               "большинства из нас."),
        "a5_watering": "**График полива.** С мая по сентябрь огород поливают каждый вечер, в "
                       "любую погоду. Участники записываются в график на сайте.",
        "a9": ("Уголок ремонта велосипедов, вторая попытка",
               "Осенью сарай разобрали, место теперь есть."),
        "a7": ("Меньше залог, и никакого залога для надёжных",
               "Четверть цены — много для дрели; кто всегда возвращает инструменты, не должен "
               "платить вовсе."),
        "a7_comment": "Пять возвратов — разумный порог.",
        "a7_reply": "Может быть, три? Большинство из нас берёт редко.",
        "a8": ("Библиотека семян", "Давайте делиться семенами так же, как инструментами."),
        "a8_title": "Библиотека семян",
        "a8_body": "Участники делятся семенами из ящика в сарае для инструментов.\n\n"
                   "Кто берёт семена, возвращает семена своего урожая, когда может.\n",
        "a10": ("Ежемесячная встреча", "Запишем, как проходит наша ежемесячная встреча, чтобы "
                "новички знали, чего ждать."),
        "a10_title": "Ежемесячная встреча",
        "a10_body": "Сообщество собирается в первую субботу каждого месяца в зале.\n\n"
                    "Прийти может любой; на встрече не решается то, что по соглашениям "
                    "решается поправкой.\n",
        "post_welcome": ("Добро пожаловать в Приречную общину",
                         "Мы начали. Прочитайте соглашения, примите их, если они вам подходят, и "
                         "**следите за новостями**: больше мы ничего не просим.\n\nПервая "
                         "встреча — в субботу в зале."),
        "post_wednesdays": ("Сарай с инструментами теперь открыт по средам",
                            "С этой недели сарай открыт по средам с 18:00 до 19:00, как "
                            "говорит принятая на прошлой неделе поправка."),
        "post_seeds": ("Обмен семенами в субботу",
                       "Приносите сохранённые семена, берите, что нужно. Обсудим и "
                       "предложенную библиотеку семян."),
        "a11": ("Совсем без залога", "Залог отпугивает новичков; хватит доверия, а кто "
                "отвечает за сломанный инструмент, уже сказано в пункте о поломке и утрате."),
        "a11_deposit": "**Залог.** Залог ни за какой инструмент не берётся. Взявший отвечает "
                       "за инструмент так, как сказано в пункте о поломке и утрате.",
        "fair": ("Стол на весенней ярмарке",
                 "На весенней ярмарке города каждое соседское объединение получает стол на "
                 "день. Кто встанет за наш и будет говорить от имени Приречной общины?",
                 "Рыночная площадь, у фонтана"),
        "fair_hana": "Я много лет веду ящик с семенами и люблю говорить с людьми.",
        "fair_gleb": "Я лучше всех объясню, как работает библиотека инструментов.",
        "fair_account": [
            ("Кто у вас главный?",
             "Никто: общиной никто не руководит, а всё, о чём мы договорились, записано в "
             "публичных соглашениях ({idea_leader})."),
            ("Можно взять дрель, не вступая?",
             "Инструменты берут участники ({tools_borrowing}), а вступить может любой, кто "
             "живёт рядом, приняв соглашения ({idea_join})."),
            ("Кто выбрал вас говорить за всех?",
             "Участники, простым голосованием для этой одной ярмарки. Я могу говорить только "
             "то, что написано в наших соглашениях ({speaker_rule})."),
        ],
        "gazette": ("Интервью «Приречному вестнику»",
                    "Местная газета просит короткое интервью о библиотеке инструментов и "
                    "огороде.", "Редакция «Приречного вестника»"),
        "gazette_fatima": "Я написала правило возврата и могу рассказать, как библиотека "
                          "работает сегодня.",
    },
}  # fmt: skip


def _changed_paragraph(original, changed, replacement):
    """`original` with the paragraph that `changed` rewrites replaced by `replacement`."""
    old, new = paragraphs(original), paragraphs(changed)
    index = next(i for i, (a, b) in enumerate(zip(old, new, strict=False)) if a != b)
    old[index] = replacement
    return "\n\n".join(old) + "\n"


class Story:
    def __init__(self, language, now):
        self.language = texts.text_language(language)
        self.words = STORY[self.language]
        self.now = now
        self.people = people_demo.create_people()

    def at(self, days):
        return self.now - timedelta(days=days)

    def person(self, name):
        member = self.people[name]
        member.refresh_from_db()
        return member

    def text(self, name):
        return texts.demo_text(self.language, name)

    def propose(self, days, author, key, *, kind="change", slug=None, body="", **fields):
        title, rationale = self.words[key]
        agreement = Agreement.objects.get(slug=slug) if slug else None
        return amendments.propose_amendment(
            author=self.person(author),
            kind=kind,
            agreement=agreement,
            title=title,
            rationale=rationale,
            body=body,
            now=self.at(days),
            **fields,
        )

    def vote(self, days, amendment, **choices):
        for name, choice in choices.items():
            amendments.cast_vote(
                amendment=amendment, member=self.person(name), choice=choice, now=self.at(days)
            )

    def comment(self, days, amendment, author, key, parent=None):
        return amendments.post_comment(
            amendment=amendment,
            author=self.person(author),
            body=self.words[key],
            parent=parent,
            now=self.at(days),
        )

    def accept_all(self, days, *names, joining=False):
        versions = dict(Agreement.objects.in_force().values_list("id", "version"))
        for offset, name in enumerate(names):
            accept_agreements(
                member=self.person(name),
                versions=versions,
                complete=joining,
                now=self.at(days - offset / 24),
            )

    def advance(self, days):
        advance_amendments(now=self.at(days))
        occasions.close_occasions(now=self.at(days))

    def announce(self, days, author, key, *, nominations, voting, starts):
        title, description, place = self.words[key]
        return occasions.create_occasion(
            author=self.person(author),
            title=title,
            description=description,
            place=place,
            starts_at=self.at(starts),
            nominations_close_at=self.at(nominations),
            voting_closes_at=self.at(voting),
            now=self.at(days),
        )

    def nominate(self, days, occasion, name, key):
        return occasions.nominate(
            occasion=occasion,
            member=self.person(name),
            statement=self.words[key],
            now=self.at(days),
        )

    def clause(self, slug, starts):
        """The permanent address of the clause of `slug` (as in force now) beginning `starts`."""
        agreement = Agreement.objects.get(slug=slug)
        number = next(
            i for i, p in enumerate(paragraphs(agreement.body), start=1) if p.startswith(starts)
        )
        return f"/agreements/{slug}/v/{agreement.version}/#p-{number}"

    def post(self, days, author, key):
        title, body = self.words[key]
        publish_post(author=self.person(author), title=title, body=body, now=self.at(days))

    def follow(self, name, **target):
        follow(member=self.person(name), **target)


def seed(*, language="en", now=None):
    """Tell the demo story on an empty database; return False if the site is already founded."""
    if is_founded():
        return False
    story = Story(language, now or timezone.now())
    s, w = story, story.words
    texts.found(language=s.language, now=s.now, founder=s.people["anna"])
    s.accept_all(395, "anna", "boris", "dana", "emil", "gleb", "hana", joining=True)
    s.post(394, "anna", "post_welcome")
    s.follow("anna", agreement=Agreement.objects.get(slug="tool-library"))
    s.follow("gleb", agreement=Agreement.objects.get(slug="garden"))
    s.follow("hana", followed_member=s.person("anna"))

    library_v2 = s.text("tool-library-v2.md")
    a1 = s.propose(73, "anna", "a1", slug="tool-library", body=library_v2.body)
    first = s.comment(72, a1, "boris", "a1_comment")
    s.comment(71, a1, "emil", "a1_reply", parent=first)
    s.vote(65, a1, anna="support", boris="support", emil="support", gleb="support", hana="abstain")
    s.advance(56)  # voting closed at 59: adopted; in force at 56 as version 2

    s.accept_all(55, "chen", "fatima", joining=True)
    s.post(54, "fatima", "post_wednesdays")
    s.accept_all(50, "anna", "boris", "emil", "gleb", "hana")

    garden_v1 = Agreement.objects.get(slug="garden").body
    watering = s.text("amendment-garden-watering.md").body
    a6 = s.propose(40, "gleb", "a6", slug="garden", body=watering)
    leave(member=s.person("emil"), now=s.at(40))
    a2 = s.propose(37, "fatima", "a2", slug="tool-library", body=s.text("tool-library-v3.md").body)
    s.comment(36, a2, "anna", "a2_comment")
    quiet = Agreement.objects.get(slug="quiet-hours").body
    a3 = s.propose(35, "boris", "a3", slug="quiet-hours", body=quiet.replace("22:00", "21:00", 1))
    s.advance(33)
    s.vote(32, a6, anna="support", gleb="support", fatima="support", hana="support", boris="oppose")
    a4 = s.propose(30, "chen", "a4", kind="new", proposed_title=w["a4"][0], body=w["a4_body"])
    s.advance(30)
    s.vote(29, a2, anna="support", fatima="support", chen="support", gleb="support", boris="oppose")
    s.comment(28.5, a4, "chen", "a4_comment")
    amendments.withdraw_amendment(amendment=a4, author=s.person("chen"), now=s.at(28.4))
    conflicting = _changed_paragraph(garden_v1, watering, w["a5_watering"])
    s.propose(28, "boris", "a5", slug="garden", body=conflicting)
    s.advance(28)
    s.vote(27, a3, anna="oppose", fatima="oppose", hana="oppose", boris="support")
    # 26: watering rota adopted; 23: in force, which sends the evening-only proposal back to
    # its author; simpler returns adopted; 21: quiet hours rejected; 20: simpler returns in force.
    for day in (26, 23, 21, 20):
        s.advance(day)
    # 19.5: anna announces the spring fair; hana and gleb offer to speak; the members choose
    # hana, who stands at the table on day 12 and then writes down what she was asked.
    fair = s.announce(19.5, "anna", "fair", nominations=17.5, voting=16.5, starts=12)
    hana_nominated = s.nominate(19.4, fair, "hana", "fair_hana")
    gleb_nominated = s.nominate(19.2, fair, "gleb", "fair_gleb")
    s.advance(17.5)
    for name, nominee in (("anna", hana_nominated), ("fatima", hana_nominated),
                          ("boris", gleb_nominated), ("hana", hana_nominated)):  # fmt: skip
        occasions.vote(occasion=fair, member=s.person(name), nomination=nominee, now=s.at(17))
    s.advance(16.5)
    s.accept_all(15, "anna", "fatima", "gleb", "hana")

    a9 = s.propose(14.5, "hana", "a9", kind="new", proposed_title=w["a4"][0], body=w["a4_body"])
    a7 = s.propose(
        9,
        "fatima",
        "a7",
        slug="tool-library",
        body=s.text("amendment-tool-library-deposit.md").body,
    )
    speaker_rule = {"en": "The speaker can say only", "ru": "Спикер может сказать только"}
    cited = {
        "idea_leader": s.clause(
            "idea", {"en": "No one runs", "ru": "«Приречной общиной» никто"}[s.language]
        ),
        "idea_join": s.clause(
            "idea", {"en": "Anyone who lives", "ru": "Присоединиться может"}[s.language]
        ),
        "tools_borrowing": s.clause(
            "tool-library", {"en": "**Borrowing.**", "ru": "**Как взять"}[s.language]
        ),
        "speaker_rule": s.clause("spreading-the-idea", speaker_rule[s.language]),
    }
    occasion_accounts.post_account(
        occasion=fair,
        author=s.person("hana"),
        answers=[(q, a.format(**cited)) for q, a in w["fair_account"]],
        now=s.at(11.5),
    )
    question = s.comment(8, a7, "gleb", "a7_comment")
    s.comment(7.9, a7, "anna", "a7_reply", parent=question)
    s.advance(7)
    s.propose(
        7 - 10 / (24 * 60),  # its discussion ends ten minutes after seeding: watch it move
        "anna",
        "a10",
        kind="new",
        proposed_title=w["a10_title"],
        body=w["a10_body"],
    )
    s.vote(6, a9, anna="support", hana="support", gleb="support", fatima="abstain")
    s.propose(2, "gleb", "a8", kind="new", proposed_title=w["a8_title"], body=w["a8_body"])
    s.post(1.5, "gleb", "post_seeds")
    s.advance(2)
    # boris wants no deposit at all while the smaller deposit is being voted on: both change the
    # same paragraph, so the two collide, and their authors are told at once.
    tools = Agreement.objects.get(slug="tool-library").body
    s.propose(1.2, "boris", "a11", slug="tool-library",
              body=_changed_paragraph(tools, a7.body, w["a11_deposit"]))  # fmt: skip
    gazette = s.announce(0.8, "gleb", "gazette", nominations=-1.2, voting=-2.2, starts=-4)
    s.nominate(0.7, gazette, "fatima", "gazette_fatima")
    s.vote(1, a7, fatima="support", anna="support", gleb="oppose")
    # Hillside, where the quiet hours come from, published version 5; anna uploads its export.
    record_source_export(
        agreement=Agreement.objects.get(slug="quiet-hours"),
        source=from_export(texts.source_export(s.language)),
        member=s.person("anna"),
        now=s.at(0.5),
    )
    s.advance(0)
    # Chapters other apps tell (settings.DEMO_CHAPTERS), e.g. moderation: news imports none of
    # them, each takes the story and tells its part at the moments it happens.
    for chapter in settings.DEMO_CHAPTERS:
        import_string(chapter)(s)

    record_follow(member=s.person("boris"), now=s.at(100))
    for name in ("anna", "chen", "fatima", "gleb", "hana"):
        record_follow(member=s.person(name), now=s.at(2))
    assert Amendment.objects.filter(phase=Amendment.Phase.NEEDS_UPDATE).exists()
    assert Collision.objects.exists() and Occasion.objects.filter(speaker__isnull=False).exists()
    return True
