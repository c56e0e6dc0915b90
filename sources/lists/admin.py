from django.contrib import admin

from sources.lists.models import FeaturedList, ListItem, ReadingList


class ListItemInline(admin.TabularInline):
    model = ListItem
    raw_id_fields = ["source"]
    extra = 0


@admin.register(ReadingList)
class ReadingListAdmin(admin.ModelAdmin):
    list_display = ["title", "owner", "visibility", "item_count", "follower_count", "hidden_at"]
    list_filter = ["visibility"]
    search_fields = ["title", "owner__username"]
    raw_id_fields = ["owner", "copied_from"]
    inlines = [ListItemInline]


@admin.register(FeaturedList)
class FeaturedListAdmin(admin.ModelAdmin):
    list_display = ["reading_list", "theme", "featured_by", "created_at"]
    raw_id_fields = ["reading_list", "featured_by"]
