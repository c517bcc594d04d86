from django.contrib import admin

from graphs.models import Graph, GraphRevision


@admin.register(Graph)
class GraphAdmin(admin.ModelAdmin):
    list_display = ("name", "owner", "version", "updated_at")
    list_filter = ("updated_at",)
    search_fields = ("name", "owner__username")
    raw_id_fields = ("owner",)


@admin.register(GraphRevision)
class GraphRevisionAdmin(admin.ModelAdmin):
    list_display = ("graph", "version", "created_at")
    raw_id_fields = ("graph",)
