from typing import TYPE_CHECKING

from django.contrib import admin

from execution.models import Execution

if TYPE_CHECKING:  # Django's admin classes are generic in django-stubs only, not at runtime
    from django.contrib.auth.models import User as _User

    _ExecutionModelAdmin = admin.ModelAdmin[Execution]
else:
    _ExecutionModelAdmin = admin.ModelAdmin


@admin.register(Execution)
class ExecutionAdmin(_ExecutionModelAdmin):
    list_display = [
        "id",
        "user",
        "status",
        "reason",
        "exit_code",
        "queued_at",
        "duration_ms",
        "worker",
    ]
    list_filter = ["status", "reason"]
    search_fields = ["id", "user__username", "worker"]
    raw_id_fields = ["user", "graph"]
    readonly_fields = [f.name for f in Execution._meta.fields]


# --- For operators: filters, the stored output, and users with their run counts. ---
# Appended: a subclass registered in place of the class above (which stays as the engine wrote it).

from datetime import timedelta  # noqa: E402
from typing import Any  # noqa: E402

from django.contrib.auth import get_user_model  # noqa: E402
from django.contrib.auth.admin import UserAdmin  # noqa: E402
from django.db.models import Count, Q, QuerySet  # noqa: E402
from django.http import HttpRequest  # noqa: E402
from django.urls import reverse  # noqa: E402
from django.utils import timezone  # noqa: E402
from django.utils.html import format_html  # noqa: E402


class ExecutionOperationsAdmin(ExecutionAdmin):
    list_filter = [
        "status",
        "reason",
        ("queued_at", admin.DateFieldListFilter),
        ("user", admin.RelatedOnlyFieldListFilter),
    ]
    date_hierarchy = "queued_at"
    list_select_related = ["user"]
    exclude = ["output_tail"]
    readonly_fields = [
        *[name for name in ExecutionAdmin.readonly_fields if name != "output_tail"],
        "stored_output",
    ]

    @admin.display(description="Stored output (tail)")
    def stored_output(self, execution: Execution) -> str:
        if not execution.output_tail:
            return "(no output stored)"
        style = "white-space: pre-wrap; max-height: 40em; overflow: auto"
        return format_html('<pre style="{}">{}</pre>', style, execution.output_tail)

    def has_add_permission(self, request: object) -> bool:
        return False  # executions are made by runs, never by hand


admin.site.unregister(Execution)
admin.site.register(Execution, ExecutionOperationsAdmin)

User = get_user_model()

if TYPE_CHECKING:  # generic in django-stubs only, as ModelAdmin above
    _UserAdmin = UserAdmin[_User]
else:
    _UserAdmin = UserAdmin


class UserWithRunsAdmin(_UserAdmin):
    """The stock user admin plus each user's run counts (all time and the last 24 hours)."""

    # django-stubs types list_display per model instance; the stock tuple is read as it is.
    list_display = (*UserAdmin.list_display, "run_count", "runs_last_day")  # type: ignore[misc]

    def get_queryset(self, request: HttpRequest) -> QuerySet[Any]:
        day_ago = timezone.now() - timedelta(days=1)
        return (
            super()
            .get_queryset(request)
            .annotate(
                run_count=Count("executions", distinct=True),
                runs_last_day=Count(
                    "executions", filter=Q(executions__queued_at__gte=day_ago), distinct=True
                ),
            )
        )

    @admin.display(description="Runs", ordering="run_count")
    def run_count(self, user: Any) -> str:
        url = reverse("admin:execution_execution_changelist") + f"?user__id__exact={user.pk}"
        return format_html('<a href="{}">{}</a>', url, user.run_count)

    @admin.display(description="Runs (24 h)", ordering="runs_last_day")
    def runs_last_day(self, user: Any) -> int:
        count: int = user.runs_last_day  # annotated by get_queryset
        return count


if admin.site.is_registered(User):
    admin.site.unregister(User)
admin.site.register(User, UserWithRunsAdmin)
