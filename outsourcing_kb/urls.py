from django.conf import settings
from django.conf.urls.i18n import i18n_patterns
from django.contrib import admin
from django.urls import include, path

from comparisons import sitemaps, views
from comparisons.admin.dashboard import translation_dashboard
from outsourcing_kb.health import health

urlpatterns = [
    path(
        f"{settings.ADMIN_PATH}translations/",
        admin.site.admin_view(translation_dashboard),
        name="translation_dashboard",
    ),
    path(settings.ADMIN_PATH, admin.site.urls),
    path("health/", health, name="health"),
    path("language/<str:language>/", views.choose_language, name="choose_language"),
    path("sitemap.xml", sitemaps.index, name="sitemap"),
    path("sitemap-<section>.xml", sitemaps.section, name="sitemap_section"),
    path("robots.txt", views.robots_txt, name="robots_txt"),
]

urlpatterns += i18n_patterns(
    path("", include("comparisons.urls")),
)
