"""The search index: one row per thing a visitor can find, with the text to match.

Agreements are indexed clause by clause (the text in force), so a result links to the paragraph
it was found in (`/agreements/<slug>/v/<n>/#p-k`). Each row carries the language its text is
written in; on PostgreSQL two partial GIN indexes (migration 0001) match English rows with the
English configuration and Russian rows with the Russian one.
"""

from django.db import models
from django.urls import reverse

from agreements.models import Agreement, Amendment, Comment
from news.models import NewsItem


class Entry(models.Model):
    class Kind(models.TextChoices):
        AGREEMENT = "agreement"
        AMENDMENT = "amendment"
        COMMENT = "comment"
        NEWS = "news"

    kind = models.CharField(max_length=16, choices=Kind.choices)
    agreement = models.ForeignKey(
        Agreement, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    version = models.PositiveIntegerField(null=True, blank=True)
    paragraph = models.PositiveIntegerField(null=True, blank=True)
    amendment = models.ForeignKey(
        Amendment, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    comment = models.ForeignKey(
        Comment, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    news_item = models.ForeignKey(
        NewsItem, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    # The address a result links to (`agreement.slug` is needed for agreements only).
    slug = models.SlugField(max_length=80, blank=True)
    language = models.CharField(max_length=8)
    title = models.CharField(max_length=300)
    # Title and text together: what is matched and what snippets are cut from.
    document = models.TextField()
    moment = models.DateTimeField()

    class Meta:
        verbose_name = "search entry"
        verbose_name_plural = "search entries"
        indexes = [models.Index(fields=["kind", "-moment"], name="search_entry_kind_moment")]

    def __str__(self):
        return f"{self.kind}: {self.title}"

    def get_absolute_url(self):
        if self.kind == self.Kind.AGREEMENT:
            version_url = reverse("agreements:version", args=[self.slug, self.version])
            return f"{version_url}#p-{self.paragraph}"
        if self.kind == self.Kind.AMENDMENT:
            return reverse("amendments:detail", args=[self.amendment_id])
        if self.kind == self.Kind.COMMENT:
            url = reverse("amendments:detail", args=[self.amendment_id])
            return f"{url}#comment-{self.comment_id}"
        return reverse("news:item", args=[self.news_item_id])
