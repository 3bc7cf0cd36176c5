"""The index follows every save of a searchable text, in the same transaction."""

from django.db.models.signals import post_save
from django.dispatch import receiver

from agreements.models import Agreement, Amendment, Comment
from news.models import NewsItem

from . import indexing


@receiver(post_save, sender=Agreement)
def agreement_saved(sender, instance, raw=False, **kwargs):
    if not raw:
        indexing.index_agreement(instance)


@receiver(post_save, sender=Amendment)
def amendment_saved(sender, instance, raw=False, **kwargs):
    if not raw:
        indexing.index_amendment(instance)


@receiver(post_save, sender=Comment)
def comment_saved(sender, instance, raw=False, **kwargs):
    if not raw:
        indexing.index_comment(instance)


@receiver(post_save, sender=NewsItem)
def news_item_saved(sender, instance, raw=False, **kwargs):
    if not raw:
        indexing.index_news_item(instance)
