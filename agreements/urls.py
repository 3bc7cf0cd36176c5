from django.urls import path

from . import views

app_name = "agreements"

urlpatterns = [
    path("", views.agreement_list, name="list"),
    path("<slug:slug>.md", views.agreement_markdown, name="markdown"),
    path("<slug:slug>/", views.agreement_detail, name="detail"),
    path("<slug:slug>/v/<id:number>/", views.agreement_version, name="version"),
    path("<slug:slug>/history/", views.agreement_history, name="history"),
    path("<slug:slug>/diff/", views.agreement_compare, name="compare"),
    path("<slug:slug>/diff/<id:a>..<id:b>/", views.agreement_diff, name="diff"),
]
