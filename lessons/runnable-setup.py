# The settings every runnable lesson example may assume (an example marked setup=manual configures
# Django itself instead). The example's code runs right after this, in a fresh Python process, as
# the __main__ module: a URLconf it defines (urlpatterns) is the project's ROOT_URLCONF.
import django
from django.conf import settings

settings.configure(
    DEBUG=False,
    SECRET_KEY="cache-coach-lesson",
    ALLOWED_HOSTS=["*"],
    ROOT_URLCONF="__main__",
    USE_TZ=True,
    INSTALLED_APPS=["django.contrib.contenttypes", "django.contrib.auth"],
    DATABASES={"default": {"ENGINE": "django.db.backends.sqlite3", "NAME": ":memory:"}},
    CACHES={"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}},
    MIDDLEWARE=[],
    TEMPLATES=[{"BACKEND": "django.template.backends.django.DjangoTemplates"}],
)
django.setup()
