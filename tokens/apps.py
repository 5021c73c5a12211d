from django.apps import AppConfig


class TokensConfig(AppConfig):
    name = "tokens"
    verbose_name = "API tokens"

    def ready(self):
        from audit import trail

        trail.register("apitoken", "tokens.ApiToken", "API token")
