import pytest
from django.test import override_settings

from stage.models import FileVersion
from tests.support.rest import error, new_session, push

pytestmark = pytest.mark.django_db


@override_settings(STAGE_MAX_FILE_BYTES=10)
def test_a_file_over_the_size_limit_is_413_and_nothing_lands(api):
    session_id = new_session(api)
    err = error(push(api, session_id, {"/small.ts": "ok", "/big.ts": "x" * 11}), 413, "PAYLOAD_TOO_LARGE")
    assert "/big.ts" in err["message"]
    assert FileVersion.objects.count() == 0


@override_settings(STAGE_MAX_FILE_BYTES=10)
def test_the_size_limit_counts_utf8_bytes_not_characters(api):
    session_id = new_session(api)
    error(push(api, session_id, {"/big.ts": "é" * 6}), 413, "PAYLOAD_TOO_LARGE")


@override_settings(STAGE_MAX_PUSH_FILES=3)
def test_too_many_files_in_one_push_is_413(api):
    session_id = new_session(api)
    assert push(api, session_id, {f"/f{i}.ts": "x" for i in range(3)}).status_code == 200
    error(push(api, session_id, {f"/g{i}.ts": "x" for i in range(4)}), 413, "PAYLOAD_TOO_LARGE")
    assert FileVersion.objects.count() == 3


@override_settings(STAGE_MAX_PUSH_BYTES=20)
def test_a_push_over_the_total_limit_is_413(api):
    session_id = new_session(api)
    error(push(api, session_id, {"/a.ts": "x" * 10, "/b.ts": "y" * 11}), 413, "PAYLOAD_TOO_LARGE")
    assert FileVersion.objects.count() == 0


@override_settings(DATA_UPLOAD_MAX_MEMORY_SIZE=1000)
def test_a_body_over_djangos_cap_is_413_in_the_envelope(api):
    session_id = new_session(api)
    error(push(api, session_id, {"/a.ts": "x" * 2000}), 413, "PAYLOAD_TOO_LARGE")


@override_settings(STAGE_MAX_PATH_LENGTH=16)
def test_an_over_long_path_is_400_naming_it(api):
    session_id = new_session(api)
    path = "/app/" + "a" * 20
    assert path in error(push(api, session_id, {path: "x"}), 400, "VALIDATION_ERROR")["message"]
