"""The WSGI application as `kohoshi serve` runs it: kohoshi.wsgi behind TrustedProxy (an import
path an application server can load in each of its worker processes)."""
from django.conf import settings

from kohoshi.core.proxy import TrustedProxy
from kohoshi.wsgi import application as _application

application = TrustedProxy(_application, settings.KOHOSHI_TRUSTED_PROXY, settings.KOHOSHI_TRUSTED_PROXY_HEADERS)
