from django.apps import AppConfig


class PartnersConfig(AppConfig):
    name = "partners"

    def ready(self):
        from django.db.models.signals import post_delete, post_save

        from accounts.signup import InvitationHandler, invitation_handlers
        from accounts.sso import directories
        from kernel import outbox
        from partners import list_choices, middleware, selectors, services, sso

        # Sign-up is by invitation; accounts finds and accepts ours through this hook.
        invitation_handlers.register(
            "partners",
            InvitationHandler(
                get_open=selectors.invitation_get_open, accept=services.invitation_accept
            ),
        )
        # The partner list's cached filter choices are forgotten when their source changes.
        post_save.connect(list_choices.on_model_change, dispatch_uid="partners.list_choices")
        post_delete.connect(list_choices.on_model_change, dispatch_uid="partners.list_choices.d")
        # Company sign-in: which identity provider serves an address, and what a new person from
        # a partner's joins (accounts.sso asks; partners.sso keeps the providers).
        directories.register("partners", sso.directory)
        # Emails in the recipient's language: the profile's, else the program's default.
        outbox.recipient_languages.register("partners", selectors.languages_for_addresses)
        post_save.connect(
            middleware.forget_program_languages,
            sender="partners.Program",
            dispatch_uid="partners.program_languages",
        )
