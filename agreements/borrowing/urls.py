from django.urls import path

from . import views

app_name = "borrowing"

urlpatterns = [
    path("amendments/borrow/", views.borrow, name="borrow"),
    path("agreements/<slug:slug>/source/", views.source, name="source"),
]
