"""Who else relies on a course or a certification, so the setup pages can refuse to archive or
delete one that something still names.

Enablement knows its own references (a certification's courses, certificates issued). Settings of
other apps (an onboarding checklist step naming a course, a tier requirement naming a
certification) are theirs: enablement must not import them, so each such app registers a reader
here from its ``AppConfig.ready()``::

    course_referrers.register("onboarding.checklist_steps", lambda course_id: [...])

A reader takes the object's id and returns one human-readable line per reference (e.g.
``Checklist “Standard” step “Finish the basics”``), already translated; an empty list when
nothing refers to it.
"""

from collections.abc import Callable

from kernel.registry import Registry

Reader = Callable[[int], list[str]]

course_referrers: Registry[Reader] = Registry("course reference reader")
certification_referrers: Registry[Reader] = Registry("certification reference reader")


def read_all(registry: Registry[Reader], pk: int) -> list[str]:
    """Every registered reader's references to ``pk``, in registration order."""
    found: list[str] = []
    for _key, reader in registry.items():
        found.extend(reader(pk))
    return found
