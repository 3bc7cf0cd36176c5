"""A community living through months of its life, driven through the real pages.

`Simulation` plays a seeded random sequence of acts — sign up, join, read, propose (new, change,
repeal, a change to the procedure's table), revise, resolve, withdraw, comment, vote and change a
vote, leave, accept again (and in advance), post news, announce an occasion, nominate oneself and
vote for a speaker, and time passing with `advance` — every
act through Django's test client, submitting each form as the page renders it (tests/forms.py).
After every act it checks what must always hold (`check`), so the first act that breaks the
community is the one reported, with the seed and the story so far.

Used by tests/simulation/test_simulated_year.py and, at a larger scale, bench/simulate.py.
"""

import itertools
import random
import re
from datetime import datetime, timedelta
from io import StringIO

from django.core.management import call_command
from django.db import transaction
from django.db.models import Count
from django.test import Client

from agreements import procedure as procedure_text
from agreements.models import Agreement, Amendment, Edition, Procedure, Vote
from members.models import User
from members.services import counter_totals, rebuild_counters
from occasions.models import Nomination, Occasion, OccasionVote
from occasions.services import choose_speaker
from tests.forms import find_form, forms_on

PASSWORD = "a-long-simulated-password-42"
P = Amendment.Phase
OPEN = (P.DISCUSSION, P.VOTING, P.NEEDS_UPDATE)
WORDS = [
    "garden",
    "tools",
    "bread",
    "rota",
    "quiet",
    "meeting",
    "bicycles",
    "seeds",
    "water",
    "lights",
    "shelter",
    "library",
    "kitchen",
    "market",
    "river",
    "school",
]

# Values a procedure change may propose, within each field's validators.
PROCEDURE_RANGES = {
    "discussion_days": (2, 9),
    "voting_days": (2, 9),
    "quorum_percent": (1, 15),
    "quorum_minimum": (1, 4),
    "threshold_percent": (50, 70),
    "effect_delay_days": (0, 6),
    "grace_days": (0, 40),
    "entrenched_threshold_percent": (55, 80),
    "entrenched_discussion_factor": (1, 3),
    "moderator_term_days": (30, 120),
    "occasion_nomination_days": (1, 4),
    "occasion_voting_days": (1, 3),
}


def _validator_range(field):
    """A value the field's validators accept, for procedure values added after this was written."""
    limits = {type(v).__name__: v.limit_value for v in Procedure._meta.get_field(field).validators}
    low = int(limits.get("MinValueValidator", 1))
    return low, min(int(limits.get("MaxValueValidator", low + 10)), low + 60)


class InvariantBroken(AssertionError):
    pass


def counters():
    return counter_totals()


class Simulation:
    def __init__(self, *, seed, traveller, acts=300):
        self.rng = random.Random(seed)
        # Occasions draw from a stream of their own, so adding them left the rest of each
        # seed's story as it was.
        self.occasion_rng = random.Random(f"occasions-{seed}")
        self.occasion_numbers = itertools.count(1)
        self.seed = seed
        self.traveller = traveller
        self.acts = acts
        self.clients = {}
        self.frozen = {}  # (amendment id, round) → (body, revision) first seen in voting
        self.story = []
        self.numbers = itertools.count(1)
        self.tally = {}
        self.checks = 0
        self.checked_edition = None

    # -- running ---------------------------------------------------------------------------

    ACTS = (
        ("sign_up", 6),
        ("join", 8),
        ("read", 8),
        ("propose_change", 4),
        ("propose_new", 1.5),
        ("propose_repeal", 1),
        ("propose_procedure", 1.5),
        ("revise", 2),
        ("resolve", 2),
        ("withdraw", 0.7),
        ("comment", 6),
        ("vote", 14),
        ("leave", 1),
        ("accept_again", 6),
        ("post", 2),
        ("time_passes", 11),
    )
    # After an act, now and then, an act about occasions and their speakers.
    OCCASION_SHARE = 0.2
    OCCASION_ACTS = (("announce_occasion", 2), ("nominate", 3), ("vote_for_speaker", 5))

    def run(self):
        names, weights = zip(*self.ACTS, strict=True)
        occasion_names, occasion_weights = zip(*self.OCCASION_ACTS, strict=True)
        for number in range(1, self.acts + 1):
            self.play(number, self.rng.choices(names, weights)[0])
            if self.occasion_rng.random() < self.OCCASION_SHARE:
                main, self.rng = self.rng, self.occasion_rng
                try:
                    self.play(number, self.rng.choices(occasion_names, occasion_weights)[0])
                finally:
                    self.rng = main
        return self.tally

    def play(self, number, act):
        done = getattr(self, act)()
        key = act if done else "skipped"
        self.tally[key] = self.tally.get(key, 0) + 1
        self.story.append(f"{number}. {act}: {done or 'nothing to do'}")
        self.check()

    def fail(self, message):
        story = "\n".join(self.story[-25:])
        raise InvariantBroken(f"seed {self.seed}: {message}\nlast acts:\n{story}")

    # -- the people ------------------------------------------------------------------------

    def client(self, user):
        if user.username not in self.clients:
            client = Client()
            client.force_login(user)
            self.clients[user.username] = client
        return self.clients[user.username]

    def request(self, client, method, url, data=None):
        response = getattr(client, method)(url, data or {})
        if response.status_code >= 500:
            self.fail(f"{method.upper()} {url} answered {response.status_code}")
        return response

    def page(self, user, url):
        response = self.request(self.client(user), "get", url)
        if response.status_code != 200:
            self.fail(f"GET {url} as {user}: {response.status_code}")
        return response.content.decode()

    def submit(self, user, url, *, action=None, containing=None, button=None, fill=None, **kw):
        html = self.page(user, url)
        form = find_form(html, url=url, action=action, containing=containing)
        return self.request(
            self.client(user), "post", form.action, form.data(button=button, fill=fill, **kw)
        )

    def someone(self, queryset):
        people = list(queryset)
        return self.rng.choice(people) if people else None

    def members_in_good_standing(self):
        return [u for u in User.objects.members() if u.is_in_good_standing]

    def words(self, n=6):
        return " ".join(self.rng.choice(WORDS) for _ in range(n)).capitalize() + "."

    # -- acts --------------------------------------------------------------------------------

    def sign_up(self):
        name = f"person{next(self.numbers)}"
        client = Client()
        html = client.get("/accounts/signup/").content.decode()
        form = find_form(html, url="/accounts/signup/", containing="Create my account")
        response = self.request(
            client,
            "post",
            form.action,
            form.data(fill={"username": name, "password1": PASSWORD, "password2": PASSWORD}),
        )
        if response.status_code != 302:
            self.fail(f"sign-up of {name} refused: {response.status_code}")
        self.clients[name] = client
        return name

    def join(self):
        user = self.someone(User.objects.filter(joined_at__isnull=True, is_superuser=False))
        user = user or self.someone(User.objects.filter(left_at__isnull=False))
        if user is None:
            return None
        response = self.submit(user, "/join/", action="/join/", containing="I accept")
        user.refresh_from_db()
        if response.status_code != 302 or not user.is_in_good_standing:
            self.fail(f"{user} could not join in one press")
        return user.username

    def read(self):
        user = self.someone(User.objects.filter(is_superuser=False))
        agreement = self.someone(Agreement.objects.all())
        amendment = self.someone(Amendment.objects.all())
        urls = ["/", "/agreements/", "/amendments/", "/news/", "/community/", "/join/"]
        if agreement:
            urls += [
                agreement.get_absolute_url(),
                f"/agreements/{agreement.slug}/history/",
                f"/agreements/{agreement.slug}/v/{agreement.version}/",
                f"/agreements/{agreement.slug}/diff/1..{agreement.version}/",
            ]
        if amendment:
            urls += [amendment.get_absolute_url(), f"/amendments/{amendment.pk}/feed.atom"]
        url = self.rng.choice(urls)
        if user is None:
            self.request(Client(), "get", url)
            return f"anonymous {url}"
        self.page(user, url)
        return f"{user} {url}"

    def _propose(self, user, kind, agreement=None, fill=None):
        url = f"/amendments/new/?kind={kind}"
        if agreement is not None:
            url += f"&agreement={agreement.slug}"
        fill = {"title": f"{kind} {next(self.numbers)}", "rationale": self.words(), **(fill or {})}
        return self.submit(user, url, containing="Publish the proposal", fill=fill,
                           button="Publish the proposal")  # fmt: skip

    def _edited(self, body):
        """The text with one paragraph reworded, added or removed."""
        paragraphs = [p for p in body.strip().split("\n\n") if p.strip()]
        what = self.rng.random()
        if what < 0.45 or len(paragraphs) < 2:
            paragraphs.append(self.words(8))
        elif what < 0.85:
            index = self.rng.randrange(len(paragraphs))
            if paragraphs[index].lstrip().startswith(("|", "#")):
                paragraphs.append(self.words(8))
            else:
                paragraphs[index] = self.words(10)
        else:
            candidates = [
                i for i, p in enumerate(paragraphs) if not p.lstrip().startswith(("|", "#"))
            ]
            if candidates:
                del paragraphs[self.rng.choice(candidates)]
        return "\n\n".join(paragraphs) + "\n"

    def propose_change(self):
        user = self.someone(self.members_in_good_standing())
        agreement = self.someone(Agreement.objects.in_force().exclude(slug="amendments"))
        if user is None or agreement is None:
            return None
        response = self._propose(user, "change", agreement, {"body": self._edited(agreement.body)})
        self.expect_created(response, user)
        return f"{user} proposes a change to {agreement.slug}"

    def propose_new(self):
        user = self.someone(self.members_in_good_standing())
        if user is None:
            return None
        title = f"{self.rng.choice(WORDS).capitalize()} {next(self.numbers)}"
        response = self._propose(
            user, "new", fill={"proposed_title": title, "body": self.words(12) + "\n"}
        )
        self.expect_created(response, user)
        return f"{user} proposes {title}"

    def propose_repeal(self):
        user = self.someone(self.members_in_good_standing())
        agreement = self.someone(a for a in Agreement.objects.in_force() if not a.is_entrenched)
        if user is None or agreement is None:
            return None
        self.expect_created(self._propose(user, "repeal", agreement), user)
        return f"{user} proposes to repeal {agreement.slug}"

    def propose_procedure(self):
        user = self.someone(self.members_in_good_standing())
        rules = Agreement.objects.filter(slug="amendments").first()
        if user is None or rules is None:
            return None
        value = self.rng.choice(procedure_text.VALUES)
        low, high = PROCEDURE_RANGES.get(value.field) or _validator_range(value.field)
        language = "ru" if "Значение" in rules.body else "en"
        new = procedure_text.format_value(value, self.rng.randint(low, high), language)
        label = re.escape(value.labels[language])
        body, replaced = re.subn(rf"(\|\s*{label}\s*\|)[^|\n]*\|", rf"\1 {new} |", rules.body)
        if not replaced:
            self.fail("the procedure's table lost a row")
        if self.rng.random() < 0.2:
            # A table the site cannot read is refused next to the text, and nothing is created.
            body = body.replace(f" {new} |", " soon |", 1)
            before = Amendment.objects.count()
            response = self._propose(user, "change", rules, {"body": body})
            if response.status_code != 200 or Amendment.objects.count() != before:
                self.fail("an unreadable procedure table was accepted")
            return f"{user}'s unreadable table refused"
        response = self._propose(user, "change", rules, {"body": body})
        if response.status_code == 200 and "same as version" in response.content.decode():
            return None
        self.expect_created(response, user)
        return f"{user} proposes {value.field} = {new}"

    def expect_created(self, response, user):
        if response.status_code != 302:
            page = response.content.decode()
            errors = re.findall(
                r'class="(?:errorlist|field-errors|form-errors)[^"]*"[^>]*>(.*?)</(?:ul|div)>',
                page,
                re.S,
            )
            self.fail(f"{user}'s proposal refused ({response.status_code}): {errors}")

    def _mine(self, phases):
        amendments = [
            a
            for a in Amendment.objects.filter(phase__in=OPEN).select_related("author", "agreement")
            if a.phase_at() in phases
        ]
        return self.someone(amendments)

    def revise(self):
        amendment = self._mine([P.DISCUSSION])
        if amendment is None or amendment.kind == Amendment.Kind.REPEAL:
            return None
        author = amendment.author
        if not author.is_in_good_standing:
            return None
        body = self._edited(amendment.body)
        if amendment.agreement and amendment.agreement.slug == "amendments":
            body = amendment.body + "\n" + self.words() + "\n"
        response = self.submit(
            author,
            f"/amendments/{amendment.pk}/edit/",
            containing="What this revision changes",
            button="Save the revision",
            fill={"body": body, "note": self.words(3)},
        )
        if response.status_code != 302:
            self.fail(f"revision of #{amendment.pk} refused: {response.status_code}")
        return f"{author} revises #{amendment.pk}"

    def resolve(self):
        amendment = self._mine([P.NEEDS_UPDATE])
        if amendment is None:
            return None
        author = amendment.author
        if not author.is_in_good_standing:
            return None
        agreement = amendment.agreement
        if amendment.kind != Amendment.Kind.CHANGE or not agreement.is_in_force:
            return self._withdraw(amendment)
        body = agreement.body
        if agreement.slug != "amendments":
            body = self._edited(body)
        else:
            body += "\n" + self.words() + "\n"
        response = self.submit(
            author,
            f"/amendments/{amendment.pk}/edit/",
            containing="What this revision changes",
            button="Save the revision",
            fill={"body": body, "note": "resolved"},
        )
        if response.status_code != 302:
            self.fail(f"resolving #{amendment.pk} refused: {response.status_code}")
        return f"{author} resolves #{amendment.pk}"

    def withdraw(self):
        amendment = self._mine([P.DISCUSSION, P.VOTING, P.NEEDS_UPDATE])
        return self._withdraw(amendment) if amendment else None

    def _withdraw(self, amendment):
        author = amendment.author
        url = f"/amendments/{amendment.pk}/withdraw/"
        if not author.is_in_good_standing:
            # Acts on amendments need good standing: refused, and nothing changes.
            response = self.request(self.client(author), "post", url, {})
            amendment.refresh_from_db()
            if response.status_code != 403 or amendment.phase == P.WITHDRAWN:
                self.fail(f"{author}, not in good standing, withdrew #{amendment.pk}")
            return f"{author} may not withdraw #{amendment.pk}: not in good standing"
        response = self.submit(author, url, containing="Withdraw")
        amendment.refresh_from_db()
        if response.status_code != 302 or amendment.phase != P.WITHDRAWN:
            self.fail(f"#{amendment.pk} could not be withdrawn")
        return f"{author} withdraws #{amendment.pk}"

    def comment(self):
        user = self.someone(self.members_in_good_standing())
        amendment = self._mine(OPEN)
        if user is None or amendment is None:
            return None
        url = amendment.get_absolute_url()
        response = self.submit(
            user,
            url,
            action=f"/amendments/{amendment.pk}/comments/",
            containing="Post the comment",
            fill={"body": self.words(9)},
        )
        if response.status_code != 302:
            self.fail(f"{user}'s comment on #{amendment.pk} refused: {response.status_code}")
        return f"{user} comments on #{amendment.pk}"

    def vote(self):
        """A few members vote on one amendment in voting (or change their vote), each through
        the vote form on its page."""
        amendment = self._mine([P.VOTING])
        if amendment is None:
            return None
        voted = dict(
            Vote.objects.filter(amendment=amendment, round=amendment.round).values_list(
                "member_id", "choice"
            )
        )
        voters = [m for m in self.members_in_good_standing() if m.pk not in voted]
        voters = self.rng.sample(voters, min(len(voters), self.rng.randint(1, 4)))
        changing = [m for m in self.members_in_good_standing() if m.pk in voted]
        if changing and self.rng.random() < 0.3:
            voters.append(self.rng.choice(changing))
        for user in voters:
            # Most members support what they vote on, so some amendments pass.
            choice = self.rng.choices(["support", "oppose", "abstain"], [7, 2, 1])[0]
            response = self.submit(
                user,
                amendment.get_absolute_url(),
                action=f"/amendments/{amendment.pk}/vote/",
                button=choice,
            )
            if response.status_code != 302:
                self.fail(f"{user}'s vote on #{amendment.pk} refused: {response.status_code}")
            vote = Vote.objects.get(amendment=amendment, member=user, round=amendment.round)
            if vote.choice != choice:
                self.fail(f"{user} voted {choice} but the vote says {vote.choice}")
        return f"{len(voters)} vote on #{amendment.pk}" if voters else None

    def leave(self):
        user = self.someone(User.objects.members())
        if user is None:
            return None
        self.submit(user, "/join/leave/", containing="Leave now")
        user.refresh_from_db()
        if user.is_member:
            self.fail(f"{user} could not leave")
        return f"{user} leaves"

    def accept_again(self):
        behind = [
            u
            for u in User.objects.members()
            if u.standing_edition < Edition.current_number() or self.announced_for(u)
        ]
        user = self.someone(behind)
        if user is None:
            return None
        html = self.page(user, "/join/")
        form = find_form(html, url="/join/", action="/join/")
        uncheck = [n for n in form.fields if n.startswith("c-") and self.rng.random() < 0.3]
        response = self.request(
            self.client(user), "post", "/join/", form.data(button="Accept", uncheck=uncheck)
        )
        user.refresh_from_db()
        if response.status_code != 302:
            self.fail(f"{user} could not accept again in one press: {response.status_code}")
        if user.standing_edition != Edition.current_number():
            self.fail(f"{user} accepted again but is not in the current edition")
        return f"{user} accepts again"

    def announced_for(self, user):
        adopted = Amendment.objects.filter(phase=P.ADOPTED, applied_at__isnull=True)
        return set(adopted.exclude(kind=Amendment.Kind.REPEAL).values_list("pk", flat=True)) - (
            user.accepted_in_advance(adopted)
        )

    def post(self):
        user = self.someone(self.members_in_good_standing())
        if user is None:
            return None
        response = self.submit(
            user,
            "/news/new/",
            containing="Publish",
            fill={"title": self.words(3), "body": self.words(12)},
        )
        if response.status_code != 302:
            self.fail(f"{user}'s post refused: {response.status_code}")
        return f"{user} posts news"

    def announce_occasion(self):
        """A member announces an occasion through the form: the deadlines it proposes (the
        procedure's periods), sometimes lengthened, and a date after them."""
        user = self.someone(self.members_in_good_standing())
        if user is None:
            return None
        html = self.page(user, "/occasions/new/")
        form = find_form(html, url="/occasions/new/", containing="Announce the occasion")
        fields = dict(form.fields)
        nominations = datetime.fromisoformat(fields["nominations_close_at"])
        voting = datetime.fromisoformat(fields["voting_closes_at"])
        if self.rng.random() < 0.7:
            nominations += timedelta(days=self.rng.randint(1, 8))
            voting = nominations + timedelta(days=self.rng.randint(3, 10))
        starts = voting + timedelta(hours=self.rng.randint(0, 72))
        title = f"{self.rng.choice(WORDS).capitalize()} fair {next(self.occasion_numbers)}"
        moments = {
            "nominations_close_at": nominations.strftime("%Y-%m-%dT%H:%M"),
            "voting_closes_at": voting.strftime("%Y-%m-%dT%H:%M"),
            "starts_at": starts.strftime("%Y-%m-%dT%H:%M"),
        }
        response = self.request(
            self.client(user),
            "post",
            form.action,
            form.data(fill={"title": title, "place": self.words(2), **moments}),
        )
        if response.status_code != 302:
            self.fail(f"{user}'s occasion refused: {response.status_code}")
        occasion = Occasion.objects.get(title=title)
        # Someone often offers to speak at once (people announce what others want to do).
        for _attempt in range(self.rng.choice([0, 1, 1, 2])):
            self._nominate(occasion)
        return f"{user} announces {title}"

    def _occasion_in(self, stage):
        return self.someone(o for o in Occasion.objects.all() if o.stage_at() == stage)

    def nominate(self):
        occasion = self._occasion_in(Occasion.Stage.NOMINATING)
        return self._nominate(occasion) if occasion is not None else None

    def _nominate(self, occasion):
        """A member not yet nominated offers to speak, through the form on the page."""
        nominated = set(occasion.nominations.values_list("member_id", flat=True))
        user = self.someone(m for m in self.members_in_good_standing() if m.pk not in nominated)
        if user is None:
            return None
        response = self.submit(
            user,
            occasion.get_absolute_url(),
            action=f"/occasions/{occasion.pk}/nominate/",
            fill={"statement": self.words(7)},
        )
        if response.status_code != 302:
            self.fail(f"{user}'s nomination for {occasion} refused: {response.status_code}")
        return f"{user} is nominated for occasion {occasion.pk}"

    def vote_for_speaker(self):
        """A few members vote (or change their vote) for a nominee offered by the vote form."""
        occasion = self._occasion_in(Occasion.Stage.VOTING)
        if occasion is None:
            return None
        voters = self.rng.sample(
            self.members_in_good_standing(), min(3, len(self.members_in_good_standing()))
        )
        cast = 0
        for user in voters:
            html = self.page(user, occasion.get_absolute_url())
            form = find_form(html, url=occasion.get_absolute_url(),
                             action=f"/occasions/{occasion.pk}/vote/")  # fmt: skip
            choices = re.findall(r'name="nomination" value="(\d+)"', html)
            if not choices:
                return None
            choice = self.rng.choice(choices)
            response = self.request(
                self.client(user), "post", form.action, form.data(fill={"nomination": choice})
            )
            if response.status_code != 302:
                self.fail(f"{user}'s vote for a speaker refused: {response.status_code}")
            ballot = OccasionVote.objects.get(occasion=occasion, voter=user)
            if ballot.nomination_id != int(choice):
                self.fail(f"{user} voted for {choice} but the vote says {ballot.nomination_id}")
            cast += 1
        return f"{cast} vote for the speaker of occasion {occasion.pk}"

    def time_passes(self):
        """Time moves on; `advance` runs at every deadline on the way, as cron would."""
        now = self.now()
        target = now + timedelta(hours=self.rng.uniform(6, 24 * 10))
        moves = 0
        while (moment := self.next_deadline(now, target)) is not None:
            self.traveller.move_to(moment)
            now = moment
            expected_base = self.good_standing_at(moment)
            closing = list(
                Amendment.objects.filter(phase=P.VOTING, voting_ends_at__lte=moment).values_list(
                    "pk", flat=True
                )
            )
            # The speaker each closing vote must choose, by the rule, from the counts now.
            speakers = {
                occasion.pk: choose_speaker(occasion.nominations.select_related("member"))
                for occasion in Occasion.objects.filter(
                    stage=Occasion.Stage.VOTING, voting_closes_at__lte=moment
                )
            }
            self.advance()
            for occasion in Occasion.objects.filter(pk__in=speakers):
                winner = speakers[occasion.pk]
                if occasion.speaker_id != (winner.member_id if winner else None):
                    self.fail(f"occasion {occasion.pk} chose {occasion.speaker}, not {winner}")
            for amendment in Amendment.objects.filter(pk__in=closing):
                if amendment.members_at_close != expected_base:
                    self.fail(
                        f"#{amendment.pk} closed with a quorum base of "
                        f"{amendment.members_at_close}, but {expected_base} were in good standing"
                    )
            self.check()
            moves += 1
        self.traveller.move_to(target)
        self.advance()
        return f"to {target:%Y-%m-%d %H:%M}, {moves} deadlines on the way"

    def now(self):
        from django.utils import timezone

        return timezone.now()

    def next_deadline(self, after, until):
        moments = [
            Amendment.objects.filter(phase=phase, **{f"{field}__gt": after, f"{field}__lte": until})
            .order_by(field)
            .values_list(field, flat=True)
            .first()
            for phase, field in (
                (P.DISCUSSION, "discussion_ends_at"),
                (P.VOTING, "voting_ends_at"),
                (P.ADOPTED, "effective_at"),
            )
        ]
        moments += [
            Occasion.objects.filter(stage=stage, **{f"{field}__gt": after, f"{field}__lte": until})
            .order_by(field)
            .values_list(field, flat=True)
            .first()
            for stage, field in (
                (Occasion.Stage.NOMINATING, "nominations_close_at"),
                (Occasion.Stage.VOTING, "voting_closes_at"),
            )
        ]
        moments = [m for m in moments if m is not None]
        return min(moments) if moments else None

    def advance(self):
        out, err = StringIO(), StringIO()
        try:
            call_command("advance", stdout=out, stderr=err)
        except Exception as error:  # noqa: BLE001 - reported with the story
            self.fail(f"advance raised {error!r}; {err.getvalue()}")
        out2 = StringIO()
        call_command("advance", stdout=out2, stderr=StringIO())
        if out2.getvalue().strip():
            self.fail(f"advance is not idempotent: a second run did {out2.getvalue()!r}")

    def good_standing_at(self, moment):
        floor = max(Edition.binding_floor(moment), 1)
        return User.objects.members().filter(standing_edition__gte=floor).count()

    # -- what must always hold ---------------------------------------------------------------

    def check(self):
        kept = counters()
        with transaction.atomic():
            rebuild_counters()
            rebuilt = counters()
            transaction.set_rollback(True)
        if kept != rebuilt:
            self.fail(f"counters drifted from the rows:\nkept    {kept}\nrebuilt {rebuilt}")
        self.check_frozen_texts()
        self.check_votes()
        self.check_occasions()
        # Versions and editions change only when something takes effect: the costlier checks
        # run then (and now and again anyway).
        edition = Edition.current_number()
        self.checks += 1
        if edition != self.checked_edition or self.checks % 20 == 0:
            self.checked_edition = edition
            self.check_versions()
            self.check_standing()
            self.check_reaccepting()

    def check_versions(self):
        for agreement in Agreement.objects.all():
            numbers = set(agreement.history.values_list("version", flat=True))
            if numbers != set(range(1, agreement.version + 1)):
                self.fail(f"{agreement.slug} has versions {sorted(numbers)}")
            record = agreement.get_version(agreement.version)
            if agreement.is_in_force and record.body != agreement.body:
                self.fail(f"{agreement.slug}: the text in force is not version {agreement.version}")
            made_by = record.amendment
            if (
                made_by is not None
                and agreement.is_in_force
                and made_by.kind == Amendment.Kind.CHANGE
                and not made_by.rebase_note
                and made_by.body != agreement.body
            ):
                self.fail(f"{agreement.slug} v{agreement.version} is not #{made_by.pk}'s text")
        rules = Agreement.objects.filter(slug="amendments").first()
        if rules is not None:
            written = procedure_text.read_table(rules.body, Procedure)
            current = Procedure.current().values()
            if any(current[name] != value for name, value in written.items()):
                self.fail(f"the procedure {current} differs from its text {written}")

    def check_frozen_texts(self):
        for amendment in Amendment.objects.filter(phase__in=[P.DISCUSSION, P.VOTING]):
            if amendment.phase_at() != P.VOTING:
                continue
            key = (amendment.pk, amendment.round)
            seen = self.frozen.setdefault(key, (amendment.body, amendment.revision))
            if seen != (amendment.body, amendment.revision):
                self.fail(f"#{amendment.pk}'s text changed during voting")

    def check_votes(self):
        doubled = (
            Vote.objects.values("amendment", "round", "member")
            .annotate(n=Count("id"))
            .filter(n__gt=1)
        )
        if doubled.exists():
            self.fail(f"more than one vote per member and round: {list(doubled)}")

    def check_occasions(self):
        """One vote per member per occasion; the counters equal the rows they count."""
        doubled = (
            OccasionVote.objects.values("occasion", "voter").annotate(n=Count("id")).filter(n__gt=1)
        )
        if doubled.exists():
            self.fail(f"more than one vote for a speaker per member: {list(doubled)}")
        for nomination in Nomination.objects.annotate(n=Count("votes")):
            if nomination.vote_count != nomination.n:
                self.fail(f"nomination {nomination.pk} counts {nomination.vote_count} votes")
        for occasion in Occasion.objects.annotate(
            n=Count("nominations", distinct=True), v=Count("votes", distinct=True)
        ):
            if (occasion.nomination_count, occasion.vote_count) != (occasion.n, occasion.v):
                self.fail(f"occasion {occasion.pk}'s counters drifted from its rows")
            speaker = occasion.speaker_id
            if speaker and not occasion.nominations.filter(member_id=speaker).exists():
                self.fail(f"occasion {occasion.pk}'s speaker was never nominated")

    def check_standing(self):
        current = Edition.current_number()
        in_force = dict(Agreement.objects.in_force().values_list("id", "version"))
        for member in User.objects.members().filter(standing_edition=current):
            accepted = dict(
                member.current_acceptances()
                .filter(agreement_id__in=in_force)
                .values_list("agreement_id", "version")
            )
            if accepted != in_force:
                self.fail(
                    f"{member} counts as accepting edition {current} but accepts {accepted}; "
                    f"in force: {in_force}"
                )

    def check_reaccepting(self):
        """Every member who accepted the edition before a change can accept it in one press."""
        current = Edition.current_number()
        behind = list(
            User.objects.members().filter(standing_edition__lt=current, standing_edition__gt=0)
        )
        for member in self.rng.sample(behind, min(2, len(behind))):
            with transaction.atomic():
                html = self.page(member, "/join/")
                forms = [f for f in forms_on(html, "/join/") if f.action == "/join/"]
                if len(forms) != 1:
                    self.fail(f"{member} sees {len(forms)} acceptance forms")
                response = self.request(
                    self.client(member), "post", "/join/", forms[0].data(button="Accept")
                )
                member.refresh_from_db()
                if response.status_code != 302 or member.standing_edition != current:
                    self.fail(f"{member} could not accept again with one submit")
                transaction.set_rollback(True)
