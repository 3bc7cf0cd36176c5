from django.urls import path

from . import views

app_name = "api"

urlpatterns = [
    path("", views.index, name="index"),
    path("community/", views.community, name="community"),
    path("procedure/", views.procedure, name="procedure"),
    path("agreements/", views.agreements, name="agreements"),
    path("agreements/<slug:slug>/", views.agreement, name="agreement"),
    path("agreements/<slug:slug>/v/<int:number>/", views.version, name="version"),
    path("agreements/<slug:slug>/history/", views.history, name="history"),
    path("amendments/", views.amendments, name="amendments"),
    path("amendments/<int:pk>/", views.amendment, name="amendment"),
    path("news/", views.news, name="news"),
    path("export.tar.gz", views.export, name="export"),
]
