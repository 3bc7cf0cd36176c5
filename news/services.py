"""Writing the news and telling followers: events, posts, notifications, digests."""

from django.conf import settings
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from agreements.amendments.services import NotAllowed, one_line
from config.tasks import enqueue
from members.models import User
from members.services import record_action

from .models import NewsItem, Notification
from .tasks import fan_out, fan_out_comment


def record_event(*, event, title, key, when=None, exclude=None, also=(), **about):
    """Write the event `key` once; a second report of the same thing writes nothing.

    Runs inside the transaction of what it reports, so the event exists exactly when that did.
    """
    if NewsItem.objects.filter(event_key=key).exists():
        return None
    try:
        with transaction.atomic():
            item = NewsItem.objects.create(
                kind=NewsItem.Kind.EVENT,
                event=event,
                title=title[:200],
                event_key=key,
                published_at=when or timezone.now(),
                **about,
            )
    except IntegrityError:  # reported concurrently by another process
        return None
    notify(item, exclude=exclude, also=also)
    return item


def notify(item, exclude=None, also=()):
    """Tell everyone who follows what `item` is about (once each), and the members in `also`,
    except whoever caused it: in the background when there is a queue (news/notifying.py)."""
    enqueue(fan_out, item.pk, getattr(exclude, "pk", None), list(also))


def notify_comment(comment):
    enqueue(fan_out_comment, comment.pk)


def _check_post(title, body):
    if not (title or "").strip():
        raise ValueError(_("A post needs a title."))
    if not (body or "").strip():
        raise ValueError(_("A post needs a text."))


def _require_voice(author):
    """Posting and editing posts are for members in good standing whose writing is not
    suspended by a public moderation act."""
    if not (author.is_authenticated and author.is_in_good_standing):
        raise NotAllowed(_("Only members in good standing may post news."))
    if author.is_suspended():
        raise NotAllowed(_("Your writing is suspended by a public moderation act."))


@transaction.atomic
def publish_post(*, author, title, body, now=None):
    """A member in good standing writes to everyone; their followers are notified."""
    _require_voice(author)
    _check_post(title, body)
    post = NewsItem(
        kind=NewsItem.Kind.POST,
        title=one_line(title),
        body=body,
        author=author,
        published_at=now or timezone.now(),
    )
    post._history_date = post.published_at
    post.save()
    # Posting is taking part: it keeps the author in the active core.
    record_action(member=author, now=post.published_at)
    notify(post)
    return post


@transaction.atomic
def edit_post(*, post, author, title, body, now=None):
    """Authors in good standing edit their posts; every earlier version stays public in the
    post's history. A hidden post is not edited (its appeal is about the hidden text)."""
    post = NewsItem.objects.select_for_update().get(pk=post.pk)
    if not post.is_post or post.author_id != author.pk:
        raise NotAllowed(_("Only the author may edit a post."))
    _require_voice(author)
    if post.hidden:
        raise NotAllowed(_("A hidden post cannot be edited; you may appeal the act."))
    _check_post(title, body)
    title = one_line(title)
    if (title, body) == (post.title, post.body):
        return post
    post.title, post.body = title, body
    post.edit_count += 1
    post.edited_at = now or timezone.now()
    post._history_date = post.edited_at
    post.save()
    return post


def mark_all_read(member, now=None):
    return Notification.objects.filter(recipient=member, read_at__isnull=True).update(
        read_at=now or timezone.now()
    )


def send_digests(now=None):
    """Email each member who asked for it what they were notified of since the last digest.

    Daily, from the queue's scheduler (or cron: `manage.py send_digests`). Returns how many
    emails were sent.
    """
    now = now or timezone.now()
    sent = 0
    members = User.objects.filter(email_digest=True).exclude(email="")
    for member in members.iterator():
        since = member.digest_sent_at or now - timezone.timedelta(days=1)
        notifications = list(
            Notification.objects.filter(
                recipient=member, read_at__isnull=True, created_at__gt=since, created_at__lte=now
            )
            .select_related(
                "item",
                "item__agreement",
                "item__amendment",
                "comment",
                "comment__author",
                "comment__amendment",
            )
            .order_by("created_at", "id")[:200]
        )
        if notifications:
            with translation.override(member.language):
                context = {
                    "member": member,
                    "notifications": notifications,
                    "site": settings.SITE_URL,
                }
                send_mail(
                    subject=render_to_string("news/digest_subject.txt", context).strip(),
                    message=render_to_string("news/digest.txt", context),
                    from_email=None,
                    recipient_list=[member.email],
                )
            sent += 1
        User.objects.filter(pk=member.pk).update(digest_sent_at=now)
    return sent
