from django.urls import path

from . import views

app_name = "amendments"

urlpatterns = [
    path("", views.amendment_list, name="list"),
    path("new/", views.propose, name="new"),
    path("<int:pk>/", views.amendment_detail, name="detail"),
    path("<int:pk>/vote/", views.vote, name="vote"),
    path("<int:pk>/comments/", views.comment, name="comment"),
    path("<int:pk>/comments/<int:comment_id>/edit/", views.comment_edit, name="comment_edit"),
    path("<int:pk>/edit/", views.amendment_edit, name="edit"),
    path("<int:pk>/withdraw/", views.withdraw, name="withdraw"),
    path("<int:pk>/revisions/<int:a>..<int:b>/", views.revisions, name="revisions"),
]
