"""The news' background work (config/tasks.py): telling followers, and the daily digests."""

from celery import shared_task

from config.tasks import PrimaryTask

from . import notifying


@shared_task(base=PrimaryTask, name="news.tasks.fan_out")
def fan_out(item_id, exclude_id=None, also=()):
    """Notify the followers of one news item (an event or a post)."""
    return notifying.notify_followers(item_id, exclude_id=exclude_id, also=also)


@shared_task(base=PrimaryTask, name="news.tasks.fan_out_comment")
def fan_out_comment(comment_id):
    """Notify the followers of an amendment of a comment in its discussion."""
    return notifying.notify_thread(comment_id)


@shared_task(base=PrimaryTask, name="news.tasks.send_digests")
def send_digests():
    """The daily digests (the scheduler runs it at 06:15)."""
    # Imported here: news.services imports this module to enqueue the fan-out.
    from .services import send_digests

    return send_digests()
