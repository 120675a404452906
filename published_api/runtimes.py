"""Which runtime owns this web process's sandboxes: the host's (STAGE_RUNTIME=host, a process shared by every web
process on the host) or this process's own (STAGE_RUNTIME=process). Both hand out sandboxes the same way."""

from django.conf import settings

from published_api.runtime import supervisor
from published_api.runtime_client import host_runtime


def backend_runtime():
    return host_runtime if settings.STAGE_RUNTIME == "host" else supervisor
