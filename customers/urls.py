from django.urls import path

from customers import views

app_name = "customers"

urlpatterns = [
    path("portal/customers/", views.PartnerCustomersView.as_view(), name="partner_list"),
    path("manage/customers/", views.ManagerCustomersView.as_view(), name="manager_list"),
]
