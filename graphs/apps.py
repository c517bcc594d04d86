from django.apps import AppConfig


class GraphsConfig(AppConfig):
    name = "graphs"

    def ready(self) -> None:
        from graphs import signals  # noqa: F401 - connects the receivers
