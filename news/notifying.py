"""Telling followers: one notification per member and thing, however often it is asked.

Runs as the queue's fan-out tasks (news/tasks.py), or inline when there is no queue. A task
that is retried, or delivered twice after a worker died, asks again: the unique constraints on
(recipient, item) and (recipient, comment) make the second asking write nothing. Notifications
are written in batches, so telling 100 000 followers never builds one enormous statement.
"""

from django.db.models import Q

from agreements.models import Comment
from members.models import Follow

from .models import NewsItem, Notification

BATCH_SIZE = 5000


def followers(item):
    """Who follows what the item is about: its amendment, its agreement, its author."""
    about = Q()
    if item.amendment_id:
        about |= Q(amendment_id=item.amendment_id)
    if item.agreement_id:
        about |= Q(agreement_id=item.agreement_id)
    elif item.amendment_id and item.amendment.agreement_id:
        about |= Q(agreement_id=item.amendment.agreement_id)
    if item.author_id:
        about |= Q(followed_member_id=item.author_id)
    if not about:
        return Follow.objects.none()
    return Follow.objects.filter(about)


def _write(notifications):
    batch = []
    for notification in notifications:
        batch.append(notification)
        if len(batch) == BATCH_SIZE:
            Notification.objects.bulk_create(batch, ignore_conflicts=True)
            batch = []
    if batch:
        Notification.objects.bulk_create(batch, ignore_conflicts=True)


def notify_followers(item_id, exclude_id=None, also=()):
    """Tell everyone who follows what the item is about, and the members in `also`, except
    whoever caused it (`exclude_id`) and the item's author. Returns how many were told."""
    item = NewsItem.objects.select_related("amendment").filter(pk=item_id).first()
    if item is None:  # removed since it was reported
        return 0
    recipients = set(followers(item).values_list("member_id", flat=True)) | set(also)
    recipients.discard(exclude_id)
    recipients.discard(item.author_id)
    _write(
        Notification(recipient_id=pk, item_id=item.pk, created_at=item.published_at)
        for pk in sorted(recipients)
    )
    return len(recipients)


def notify_thread(comment_id):
    """Tell who follows the amendment that a comment was posted in its discussion."""
    comment = Comment.objects.filter(pk=comment_id).first()
    if comment is None:
        return 0
    recipients = set(
        Follow.objects.filter(amendment_id=comment.amendment_id).values_list("member_id", flat=True)
    )
    recipients.discard(comment.author_id)
    _write(
        Notification(recipient_id=pk, comment_id=comment.pk, created_at=comment.created_at)
        for pk in sorted(recipients)
    )
    return len(recipients)
