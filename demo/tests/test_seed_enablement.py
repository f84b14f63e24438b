import io

import pytest
from django.core.management import call_command

from enablement import selectors
from enablement.models import Course, Quiz, Resource
from kernel.uploads import inspect_upload

pytestmark = pytest.mark.django_db


def test_seeding_the_catalog_twice_creates_it_once_with_valid_files(world):
    program = world.partner_a.program
    call_command("seed_enablement", program=program.slug, stdout=io.StringIO())
    counts = (Course.objects.count(), Quiz.objects.count(), Resource.objects.count())
    call_command("seed_enablement", program=program.slug, stdout=io.StringIO())
    assert (Course.objects.count(), Quiz.objects.count(), Resource.objects.count()) == counts
    assert counts == (6, 3, 9)
    for resource in Resource.objects.all():
        with resource.file.open("rb") as handle:
            assert (
                inspect_upload(handle, name=resource.file_name).content_type == resource.file_type
            )
    # Silver-and-above material stays hidden from an entry-tier partner.
    titles = {
        r.title for r in selectors.resource_list_for_user(user=world.users["partner_b_admin"])
    }
    assert "Pricing sheet" not in titles and "Cloud Platform battlecard" in titles
