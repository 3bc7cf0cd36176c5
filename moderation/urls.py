from django.urls import path

from config.pagecache import public_condition

from . import views
from .feeds import LogFeed

app_name = "moderation"

urlpatterns = [
    path("", views.log, name="log"),
    path("feed.atom", public_condition(LogFeed()), name="feed"),
    path("<id:pk>/", views.entry, name="entry"),
    path("<id:pk>/appeal/", views.appeal, name="appeal"),
    path("act/<slug:kind>/<id:pk>/", views.act, name="act"),
    path("report/<slug:kind>/<id:pk>/", views.report, name="report"),
    path("reports/", views.report_queue, name="reports"),
    path("reports/mine/", views.my_reports, name="my_reports"),
    path("reports/<id:pk>/dismiss/", views.dismiss, name="dismiss"),
]
