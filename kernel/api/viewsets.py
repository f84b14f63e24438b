"""The scoped base viewset: the queryset always comes from the app's selector
(``<entity>_list_for_user(user=...)``), so scoping cannot be forgotten. A subclass that defines
``get_queryset`` or a class-level ``queryset`` is refused when the class is created."""

from django_filters.rest_framework import DjangoFilterBackend
from rest_framework import viewsets
from rest_framework.exceptions import ValidationError
from rest_framework.filters import OrderingFilter

from kernel.api.permissions import TokenScopePermission


class ScopedViewSetMixin:
    #: ``selector(user=...) -> QuerySet``, the app's ``<entity>_list_for_user``. Wrap it in
    #: ``staticmethod`` so Python does not bind it.
    selector = None
    permission_classes = [TokenScopePermission]
    filter_backends = [DjangoFilterBackend, OrderingFilter]
    ordering = ["pk"]

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        for name in ("get_queryset", "queryset"):
            if name in cls.__dict__:
                raise TypeError(
                    f"{cls.__name__} may not define {name}: the scoped base class reads the "
                    f"queryset from its selector. Set `selector = staticmethod(...)` instead."
                )
        if "permission_classes" in cls.__dict__ and TokenScopePermission not in (
            cls.permission_classes
        ):
            raise TypeError(f"{cls.__name__}.permission_classes must keep TokenScopePermission.")

    def get_queryset(self):
        if self.selector is None:
            raise TypeError(f"{type(self).__name__} needs a selector.")
        if getattr(self, "swagger_fake_view", False):  # schema generation: no user
            return self.selector(user=_Nobody())
        return self.selector(user=self.request.user)


class _Nobody:
    is_authenticated = False
    is_active = False
    is_channel_manager = False
    pk = None


class ScopedReadOnlyViewSet(ScopedViewSetMixin, viewsets.ReadOnlyModelViewSet):
    pass


class ScopedViewSet(ScopedViewSetMixin, viewsets.GenericViewSet):
    """List/retrieve come from the mixins a subclass adds; writes go through the app's services."""


def validated_input(serializer_class, data, **kwargs) -> dict:
    """Validate request input with an input serializer; bad values are a 400 with per-field
    reasons (raised by DRF), never a partial write."""
    serializer = serializer_class(data=data, **kwargs)
    serializer.is_valid(raise_exception=True)
    return dict(serializer.validated_data)


def call_service(call, *, errors: type[Exception] | tuple[type[Exception], ...]):
    """Run ``call`` (a service); the app's domain error, a refused operation, becomes a 400 whose
    ``detail`` is the service's reason."""
    try:
        return call()
    except errors as exc:
        raise ValidationError({"detail": str(exc)}) from exc
