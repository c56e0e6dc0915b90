from django.urls import path

from . import views

app_name = "sources"

urlpatterns = [
    path("themes/<slug:slug>/", views.theme_detail, name="theme"),
    path("sources/", views.source_list, name="list"),
    path("sources/propose/", views.propose, name="propose"),
    path("sources/<slug:slug>/", views.source_detail, name="detail"),
    path("tags/<slug:slug>/", views.tag_detail, name="tag"),
]
