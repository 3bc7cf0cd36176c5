from django.contrib import admin
from django.urls import include, path

from news.views import home

urlpatterns = [
    path("", home, name="home"),
    path("agreements/", include("agreements.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
]
