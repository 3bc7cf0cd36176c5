from django.urls import path

from config.pagecache import public_condition

from . import views
from .feeds import OccasionFeed

app_name = "occasions"

urlpatterns = [
    path("", views.occasion_list, name="list"),
    path("feed.atom", public_condition(OccasionFeed()), name="feed"),
    path("new/", views.occasion_new, name="new"),
    path("<int:pk>/", views.occasion_detail, name="detail"),
    path("<int:pk>/nominate/", views.nominate, name="nominate"),
    path("<int:pk>/vote/", views.vote, name="vote"),
    path("<int:pk>/account/", views.account, name="account"),
    path("<int:pk>/follow/", views.follow, name="follow"),
]
