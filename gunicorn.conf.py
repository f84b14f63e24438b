"""gunicorn reads this file by itself when started from the project's folder (Procfile, Dockerfile,
docker-compose.yml, bench/*.py): settings given on the command line still win.

After a worker has loaded the app it imports the URLconf (and with it every view module), so the
first request does not pay for those imports, then freezes the garbage collector's view of
everything loaded so far (``gc.freeze``): the tens of thousands of long-lived objects of Django and
the apps are no longer scanned by each full collection. A request that allocates a lot (an
ingestion batch of 1,000 events) triggers such collections; measured with bench/ingestion.py,
freezing took the Python CPU time of a 1,000-event batch from about 40 ms to 28 ms
(docs/ingestion.md).

keepalive: gunicorn closes an idle keep-alive connection after 2 s by default. A client (or a proxy)
that reuses the connection at that moment gets "connection reset by peer": 21 of 1,514 requests
(1.4 %) in the load test at 50 users (bench/load/, docs/reliability.md). The server must keep
connections open longer than whatever sits in front of it: proxies' idle timeouts are 60 s by
default (nginx ``keepalive_timeout``, AWS ALB), hence 75 s. With the gthread worker an idle
connection waits in a selector, not in a thread.
"""

import gc

keepalive = 75


def post_worker_init(worker):
    from django.urls import get_resolver

    get_resolver().url_patterns  # noqa: B018 -- the import is the point
    gc.freeze()
