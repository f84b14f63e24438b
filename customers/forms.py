"""Customer accounts are written by vendor systems through the API and by staff in the admin;
there are no portal forms yet."""
