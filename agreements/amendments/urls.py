from django.urls import path

from . import views

app_name = "amendments"

urlpatterns = [
    path("", views.amendment_list, name="list"),
    path("new/", views.propose, name="new"),
    path("<id:pk>/", views.amendment_detail, name="detail"),
    path("<id:pk>/vote/", views.vote, name="vote"),
    path("<id:pk>/comments/", views.comment, name="comment"),
    path("<id:pk>/comments/<id:comment_id>/edit/", views.comment_edit, name="comment_edit"),
    path(
        "<id:pk>/comments/<id:comment_id>/versions/",
        views.comment_versions,
        name="comment_versions",
    ),
    path("<id:pk>/edit/", views.amendment_edit, name="edit"),
    path("<id:pk>/withdraw/", views.withdraw, name="withdraw"),
    path("<id:pk>/revisions/<id:a>..<id:b>/", views.revisions, name="revisions"),
]
