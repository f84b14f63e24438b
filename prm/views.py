from django.contrib.auth.decorators import login_required
from django.db import connection
from django.http import JsonResponse
from django.shortcuts import redirect, render

from partners.permissions import is_partner_member, is_vendor_staff


@login_required
def home(request):
    """Send each person to their own home: vendor staff to the manager home, partners to the portal."""
    if is_vendor_staff(request.user):
        return redirect("partners:manager_home")
    if is_partner_member(request.user):
        return redirect("partners:home")
    return render(request, "no_organization.html", status=403)


def healthz(request):
    """Liveness and database reachability for load balancers and compose health checks."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return JsonResponse({"status": "ok"})
