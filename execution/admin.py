from django.contrib import admin

from execution.models import Execution


@admin.register(Execution)
class ExecutionAdmin(admin.ModelAdmin):
    list_display = ["id", "user", "status", "reason", "exit_code", "queued_at", "duration_ms", "worker"]
    list_filter = ["status", "reason"]
    search_fields = ["id", "user__username", "worker"]
    raw_id_fields = ["user", "graph"]
    readonly_fields = [f.name for f in Execution._meta.fields]
