from django.contrib import admin
from django.urls import include, path

from config.i18n import switch_language
from config.pagecache import public_condition
from config.views import healthz
from members import views as member_views
from news import views as news_views
from news.feeds import AgreementFeed, AmendmentFeed
from news.views import home
from search.views import search_page
from spreading import views as spreading_views

urlpatterns = [
    path("", home, name="home"),
    path("", include("agreements.borrowing.urls")),
    path("leaflet/", spreading_views.leaflet, name="leaflet"),
    path(
        "agreements/<slug:slug>/leaflet/",
        spreading_views.agreement_leaflet,
        name="agreement_leaflet",
    ),
    path(
        "agreements/<slug:slug>/feed.atom", public_condition(AgreementFeed()), name="agreement_feed"
    ),
    path("agreements/", include("agreements.urls")),
    path("amendments/<id:pk>/feed.atom", public_condition(AmendmentFeed()), name="amendment_feed"),
    path("amendments/", include("agreements.amendments.urls")),
    path("news/", include("news.urls")),
    path("occasions/", include("occasions.urls")),
    path("notifications/", news_views.notifications, name="notifications"),
    path("notifications/read/", news_views.notifications_read, name="notifications_read"),
    path("follow/", member_views.follow, name="follow"),
    path("join/", member_views.join, name="join"),
    path("join/leave/", member_views.leave, name="leave"),
    path("community/", member_views.community, name="community"),
    path("members/", include("members.urls")),
    path("moderation/", include("moderation.urls")),
    path("accounts/", include("members.account_urls")),
    path("search/", search_page, name="search"),
    path("api/", include("api.urls")),
    path("i18n/setlang/", switch_language, name="set_language"),
    path("admin/", admin.site.urls),
    path("healthz", healthz, name="healthz"),
]

# Say truthfully what happened to the visitor's text, and tell an outage from a bug (503/500).
handler500 = "config.views.server_error"
