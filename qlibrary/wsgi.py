import gc
import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "qlibrary.settings")

application = get_wsgi_application()

# What is loaded by now (Django, the apps, their modules) lives as long as the process: frozen,
# the garbage collector no longer scans it in each full collection, which otherwise stalled a
# request now and then for tens of milliseconds (docs/performance.md).
gc.freeze()
