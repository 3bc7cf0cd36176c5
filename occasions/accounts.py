"""After an occasion: the speaker's brief, and accounts whose every answer cites the clauses it
rests on, in the versions in force on the occasion's date ("Spreading the idea": the speaker can
say only what the agreements say)."""

from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from agreements.as_of import agreements_in_force_at
from members.services import record_action

from .citations import check_citations
from .models import MAX_ANSWER, MAX_QUESTION, Account, Answer, Occasion
from .services import OccasionError, follow_occasion, lock, require_standing, when_text
from .signals import occasion_changed


class AccountRefused(Exception):
    """An account whose answers do not cite the agreements as they must: `errors` maps each
    answer's position to what to fix."""

    def __init__(self, errors):
        super().__init__("; ".join(message for messages in errors.values() for message in messages))
        self.errors = errors


def brief(occasion, now=None):
    """The speaker's brief: every agreement in force at the occasion's date and time, each at
    the exact version then in force. Before the occasion, those in force now (what the speaker
    prepares from; a version taking effect before the date will replace its predecessor)."""
    now = now or timezone.now()
    return agreements_in_force_at(min(occasion.starts_at, now))


@transaction.atomic
def post_account(*, occasion, author, answers, now=None):
    """After the occasion, the speaker or any member in good standing writes down the questions
    asked and the answers given. Every answer cites the clauses it rests on, in the versions in
    force on the occasion's date: the speaker can say only what the agreements said then.

    `answers` is a list of (question, answer); blank pairs are skipped."""
    require_standing(author, pgettext("only members may …", "write accounts"))
    now = now or timezone.now()
    occasion = lock(occasion)
    if not occasion.has_taken_place(now):
        raise OccasionError(
            _("An account is written after the occasion, which begins on %(when)s.")
            % {"when": when_text(occasion.starts_at)}
        )
    pairs = [
        (position, (q or "").strip(), (a or "").strip())
        for position, (q, a) in enumerate(answers, start=1)
    ]
    pairs = [(position, q, a) for position, q, a in pairs if q or a]
    if not pairs:
        raise OccasionError(_("Write at least one question and its answer."))
    in_brief = brief(occasion, now)
    errors, checked = {}, []
    for position, question, answer in pairs:
        problems = []
        if not question:
            problems.append(_("Write the question that was asked."))
        elif len(question) > MAX_QUESTION:
            problems.append(
                _("A question is at most %(limit)s characters long.") % {"limit": MAX_QUESTION}
            )
        if not answer:
            problems.append(_("Write the answer that was given."))
        elif len(answer) > MAX_ANSWER:
            problems.append(
                _("An answer is at most %(limit)s characters long.") % {"limit": MAX_ANSWER}
            )
        citations, citation_errors = check_citations(answer, in_brief)
        problems += citation_errors if answer else []
        if problems:
            errors[position] = problems
        checked.append((position, question, answer, citations))
    if errors:
        raise AccountRefused(errors)
    account = Account.objects.create(occasion=occasion, author=author, posted_at=now)
    for number, (_position, question, answer, citations) in enumerate(checked, start=1):
        Answer.objects.create(
            account=account,
            position=number,
            question=question,
            answer=answer,
            citations=citations,
        )
    Occasion.objects.filter(pk=occasion.pk).update(account_count=F("account_count") + 1)
    follow_occasion(occasion, author, now)
    record_action(member=author, now=now)
    occasion_changed.send(
        sender=Occasion, occasion=occasion, change="account", when=now, account=account
    )
    return account
