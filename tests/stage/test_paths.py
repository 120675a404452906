import pytest
from django.test import override_settings

from stage.paths import InvalidPath, normalize_path


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("/app/App.tsx", "/app/App.tsx"),
        ("//app///App.tsx", "/app/App.tsx"),
        ("/app/./components/./Button.tsx", "/app/components/Button.tsx"),
        ("/README", "/README"),
        ("/app/ünïcode名.ts", "/app/ünïcode名.ts"),
    ],
    ids=["plain", "repeated-slashes", "dot-segments", "top-level", "unicode"],
)
def test_paths_are_normalised(raw, expected):
    assert normalize_path(raw) == expected


@pytest.mark.parametrize(
    ("raw", "reason"),
    [
        ("app/App.tsx", "absolute"),
        ("", "empty"),
        ("/", "name a file"),
        ("/app/", "not a directory"),
        ("/app/../App.tsx", "'..'"),
        ("/../etc/passwd", "'..'"),
        ("/app/..", "'..'"),
        ("/app/a\x00b.ts", "control"),
        ("/app/a\nb.ts", "control"),
        ("/app/a\x7fb.ts", "control"),
        ("/app\\..\\x", "forward slashes"),
        ("/app/a\u0085b.ts", "Unicode control"),
        ("/app/invoice\u202egnp.ts", "Unicode control or format"),
        ("/app/App\u200b.tsx", "Unicode control or format"),
        ("/app/\ufeffApp.tsx", "Unicode control or format"),
        ("/app/\uff0e\uff0e/etc/passwd", "NFKC"),
        ("/app/\u2025/x.ts", "NFKC"),
        ("/app/\uff0e/x.ts", "NFKC"),
        ("/" + "a" * 256, "255 bytes"),
        (None, "string"),
        (42, "string"),
    ],
    ids=[
        "relative",
        "empty",
        "root",
        "directory",
        "dotdot-inside",
        "dotdot-escape",
        "dotdot-trailing",
        "nul",
        "newline",
        "del",
        "backslash",
        "c1-next-line",
        "bidi-override",
        "zero-width-space",
        "byte-order-mark",
        "fullwidth-dotdot",
        "two-dot-leader",
        "fullwidth-dot",
        "long-segment",
        "none",
        "number",
    ],
)
def test_bad_paths_are_refused_with_the_reason(raw, reason):
    with pytest.raises(InvalidPath, match=reason):
        normalize_path(raw)


@override_settings(STAGE_MAX_PATH_LENGTH=20)
def test_over_long_paths_are_refused():
    assert normalize_path("/a/" + "b" * 17) == "/a/" + "b" * 17
    with pytest.raises(InvalidPath, match="at most 20 bytes"):
        normalize_path("/a/" + "b" * 18)
