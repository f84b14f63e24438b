from partners.api import views


def register(router) -> None:
    router.register("programs", views.ProgramViewSet, basename="program")
    router.register("tiers", views.TierViewSet, basename="tier")
    router.register("partners", views.PartnerViewSet, basename="partner")
    router.register("partner-users", views.MembershipViewSet, basename="partner-user")
