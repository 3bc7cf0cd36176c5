from django.urls import path

from . import views

app_name = "members"

urlpatterns = [
    path("", views.member_list, name="list"),
    path("<str:username>/", views.profile, name="profile"),
    path("<str:username>/settings/", views.member_settings, name="settings"),
]
