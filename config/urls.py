from django.contrib import admin
from django.urls import include, path

from members import views as member_views
from news.views import home

urlpatterns = [
    path("", home, name="home"),
    path("agreements/", include("agreements.urls")),
    path("amendments/", include("agreements.amendment_urls")),
    path("join/", member_views.join, name="join"),
    path("join/leave/", member_views.leave, name="leave"),
    path("community/", member_views.community, name="community"),
    path("members/", include("members.urls")),
    path("accounts/", include("members.account_urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
]
