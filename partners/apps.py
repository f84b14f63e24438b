from django.apps import AppConfig


class PartnersConfig(AppConfig):
    name = "partners"

    def ready(self):
        from accounts.signup import InvitationHandler, invitation_handlers
        from partners import selectors, services

        # Sign-up is by invitation; accounts finds and accepts ours through this hook.
        invitation_handlers.register(
            "partners",
            InvitationHandler(
                get_open=selectors.invitation_get_open, accept=services.invitation_accept
            ),
        )
