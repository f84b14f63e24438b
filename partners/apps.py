from django.apps import AppConfig


class PartnersConfig(AppConfig):
    name = "partners"

    def ready(self):
        from accounts.signup import InvitationHandler, invitation_handlers
        from accounts.sso import directories
        from partners import selectors, services, sso

        # Sign-up is by invitation; accounts finds and accepts ours through this hook.
        invitation_handlers.register(
            "partners",
            InvitationHandler(
                get_open=selectors.invitation_get_open, accept=services.invitation_accept
            ),
        )
        # Company sign-in: which identity provider serves an address, and what a new person from
        # a partner's joins (accounts.sso asks; partners.sso keeps the providers).
        directories.register("partners", sso.directory)
