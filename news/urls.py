from django.urls import path

from config.pagecache import public_condition

from . import views
from .feeds import NewsFeed

app_name = "news"

urlpatterns = [
    path("", views.news_list, name="list"),
    path("feed.atom", public_condition(NewsFeed()), name="feed"),
    path("new/", views.post_new, name="new"),
    path("<id:pk>/", views.news_item, name="item"),
    path("<id:pk>/edit/", views.post_edit, name="edit"),
]
