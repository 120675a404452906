import pytest

from tests.workflows.fakes import FakeGoogle, HttpServer, SmtpServer


@pytest.fixture
def smtp_server(settings):
    with SmtpServer() as server:
        settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
        settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", server.port
        settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
        settings.EMAIL_HOST_USER = settings.EMAIL_HOST_PASSWORD = ""
        yield server


@pytest.fixture
def google(settings):
    fake = FakeGoogle()
    with HttpServer(fake.route) as server:
        settings.STAGE_GOOGLE_TOKEN_URL = f"{server.url}/token"
        settings.STAGE_SHEETS_BASE_URL = server.url
        fake.server = server
        yield fake


@pytest.fixture
def receiver(settings):
    answers = []

    def route(request):
        return answers.pop(0) if answers else (200, {"ok": True})

    with HttpServer(route) as server:
        server.answers = answers
        settings.STAGE_EGRESS_ALLOW = [server.url.removeprefix("http://")]  # the egress policy admits this receiver
        yield server
