"""esbuild over a session's files in memory: resolution rules and every failure message, with real esbuild."""

import pytest

from stage.renders import esbuild
from stage.renders.esbuild import BuildFailed, build_bundle

ENTRY = "/app/App.tsx"
AVAILABLE = (
    "react, react-dom, react-dom/client, lodash, lodash/*, papaparse, recharts, lucide-react, react-hook-form, clsx, "
    "tailwind-merge, class-variance-authority, @/components/ui/*, @/lib/utils, @stage/*"
)


def app(body: str, **files: str) -> dict[str, str]:
    """An entry that imports what `body` names and renders something, plus extra files by path."""
    return {ENTRY: body, **{path: content for path, content in files.items()}}


def build(files: dict[str, str], entry: str = ENTRY):
    return build_bundle(entry=entry, files=files)


def failure(files: dict[str, str], entry: str = ENTRY) -> list[dict]:
    with pytest.raises(BuildFailed) as caught:
        build(files, entry)
    return caught.value.errors


@pytest.mark.parametrize(
    ("files", "marker"),
    [
        pytest.param(
            {
                ENTRY: "import Nav from './components/nav/Nav';\nexport default () => <Nav/>;",
                "/app/components/nav/Nav.tsx": "import { label } from '../../lib/util/text';\n"
                "export default () => <nav>{label}</nav>;",
                "/app/lib/util/text.ts": "import { base } from '../../../app/lib/base';\n"
                "export const label = [base, 'one-level-up'];",
                "/app/lib/base.ts": "export const base = 'three-levels-up';",
            },
            ("one-level-up", "three-levels-up"),
            id="dotdot-chains",
        ),
        pytest.param(
            {
                ENTRY: "import Card from './Card';\nexport default () => <Card/>;",
                "/app/Card.jsx": "export default () => <i>extensionless-jsx</i>;",
            },
            "extensionless-jsx",
            id="extensionless",
        ),
        pytest.param(
            {
                ENTRY: "import W from './widgets';\nexport default () => <W/>;",
                "/app/widgets/index.ts": "import { createElement } from 'react';\n"
                "export default () => createElement('b', null, 'index-resolved');",
            },
            "index-resolved",
            id="index",
        ),
        pytest.param(
            {
                ENTRY: "import { word } from '/app/shared/words';\nexport default () => <p>{word}</p>;",
                "/app/shared/words.js": "export const word = 'absolute-app-path';",
            },
            "absolute-app-path",
            id="absolute-app",
        ),
        pytest.param(
            {
                ENTRY: "import data from './data.json';\nexport default () => <p>{data.greeting}</p>;",
                "/app/data.json": '{"greeting": "json-imported"}',
            },
            "json-imported",
            id="json",
        ),
        pytest.param(
            {
                ENTRY: "import _ from 'lodash';\nimport Papa from 'papaparse';\nimport { Star } from 'lucide-react';\n"
                "export default () => <p>{_.kebabCase('Allowed Lib')}{Papa.parse('a,b').data.length}<Star/></p>;",
            },
            "kebabCase",
            id="allowed-libraries",
        ),
    ],
)
def test_imports_resolve_the_way_the_original_stage_did(files, marker):
    output = build(files)

    for expected in (marker,) if isinstance(marker, str) else marker:
        assert expected in output.js


def test_css_files_css_modules_import_chains_and_url_assets_are_bundled():
    # given: a global stylesheet that @imports another which uses a local svg, and a CSS module
    files = app(
        "import './styles/global.css';\nimport styles from './App.module.css';\n"
        "export default () => <div className={styles.panel}>hi</div>;",
        **{
            "/app/styles/global.css": "@import './theme.css';\nbody { margin: 0; }",
            "/app/styles/theme.css": "h1 { background: url(../img/dot.svg); color: rgb(1, 2, 3); }",
            "/app/img/dot.svg": "<svg xmlns='http://www.w3.org/2000/svg'><circle r='1'/></svg>",
            "/app/App.module.css": ".panel { color: rgb(10, 20, 30); }",
        },
    )

    output = build(files)

    assert "margin:0" in output.css
    assert "data:image/svg+xml" in output.css and "circle" in output.css
    assert "#010203" in output.css and "#0a141e" in output.css
    # the module's class is renamed (local) and the JS holds the class map pointing at the new name
    assert ".panel" not in output.css


def test_a_bare_import_outside_the_allowed_list_names_the_import_and_the_importing_file():
    files = app(
        "import Chart from './Chart';\nexport default () => <Chart/>;",
        **{"/app/Chart.tsx": "import axios from 'axios';\nexport default () => <p>{String(axios)}</p>;"},
    )

    errors = failure(files)

    assert errors == [
        {
            "file": "/app/Chart.tsx",
            "line": 1,
            "column": 19,
            "message": 'Import "axios" is not available in Stage (imported by /app/Chart.tsx); available: ' + AVAILABLE,
            "lineText": "import axios from 'axios';",
        }
    ]


@pytest.mark.parametrize(
    "specifier", ["fs", "node:child_process", "react-dom/server", "@scope/pkg", "lodash-es", "https://evil.test/x.js"]
)
def test_node_builtins_unlisted_subpaths_and_network_imports_are_refused(specifier):
    errors = failure(app(f"import x from '{specifier}';\nexport default () => <p>{{String(x)}}</p>;"))

    assert "is not available in Stage (imported by /app/App.tsx)" in errors[0]["message"]
    assert errors[0]["file"] == ENTRY and errors[0]["line"] == 1


def test_a_missing_relative_import_points_at_its_line_and_column():
    errors = failure(app("const a = 1;\nimport Missing from '../lib/nothing';\nexport default () => <Missing/>;"))

    assert errors == [
        {
            "file": ENTRY,
            "line": 2,
            "column": 21,
            "message": 'Could not resolve "../lib/nothing" (imported by /app/App.tsx)',
            "lineText": "import Missing from '../lib/nothing';",
        }
    ]


def test_escaping_above_the_root_resolves_nothing_on_the_host():
    errors = failure(app("import secret from '../../../../etc/passwd';\nexport default () => <p>{secret}</p>;"))

    assert errors[0]["message"].startswith('Could not resolve "../../../../etc/passwd"')


def test_a_syntax_error_carries_file_line_column_and_message():
    files = app(
        "import Bad from './Bad';\nexport default () => <Bad/>;",
        **{"/app/Bad.tsx": "export default () => {\n  return <div>;\n}"},
    )

    errors = failure(files)

    assert errors[0]["file"] == "/app/Bad.tsx"
    assert errors[0]["line"] == 3
    assert errors[0]["column"] == 1
    assert "not valid inside a JSX element" in errors[0]["message"]


def test_an_entry_without_a_default_export_fails_with_the_spec_message():
    errors = failure(app("export const App = () => <p>named only</p>;"))

    assert errors == [
        {
            "file": ENTRY,
            "line": None,
            "column": None,
            "message": "Entry point must default-export a React component",
            "lineText": None,
        }
    ]


def test_an_entry_that_does_not_exist_says_so():
    errors = failure(app("export default () => null;"), entry="/app/Main.tsx")

    assert errors[0]["message"] == "Entry point /app/Main.tsx not found in the session"


def test_a_file_type_that_cannot_be_imported_is_refused():
    errors = failure(app("import x from './blob.exe';\nexport default () => <p>{x}</p>;", **{"/app/blob.exe": "MZ"}))

    assert errors[0]["message"] == "Cannot import /app/blob.exe: unsupported file type"


def test_a_warm_process_that_died_between_builds_is_replaced_without_failing_the_build():
    build(app("export default () => <p>first</p>;"))
    esbuild.server.process.kill()
    esbuild.server.process.wait()

    output = build(app("export default () => <p>after the crash</p>;"))

    assert "after the crash" in output.js


def test_a_builder_that_keeps_dying_fails_the_build_with_a_clear_message(settings):
    esbuild.server.stop()
    settings.STAGE_NODE = "/bin/true"  # starts, reads nothing, exits at once
    try:
        errors = failure(app("export default () => null;"))
    finally:
        esbuild.server.stop()
        settings.STAGE_NODE = "node"

    assert errors == [{"file": None, "line": None, "column": None, "message": "The build crashed", "lineText": None}]


def test_tailwind_builds_exactly_the_classes_a_session_uses():
    first = build(app('export default () => <p className="p-4 bg-muted/50 dark:bg-card w-[37px]">a</p>;'))
    second = build(app('export default () => <p className="text-destructive">b</p>;'))

    assert ".p-4" in first.css and r".w-\[37px\]" in first.css and r".bg-muted\/50" in first.css
    assert r".dark\:bg-card:is(.dark *)" in first.css  # dark mode from a .dark ancestor, as shadcn/ui has it
    assert "--muted:" in first.css and ".dark {" in first.css  # the theme tokens, light and dark
    # a build holds no class of an earlier one (a Tailwind compiler remembers what it built)
    assert ".text-destructive" in second.css and ".p-4" not in second.css and "37px" not in second.css


def test_an_app_that_names_no_tailwind_class_gets_no_stylesheet_and_its_own_css_comes_last():
    plain = build(app("export default () => <h1>plain</h1>;"))
    styled = build(
        app(
            'import "./app.css";\nexport default () => <h1 className="text-lg mine">styled</h1>;',
            **{"/app/app.css": ".mine { font-size: 31px; }"},
        )
    )

    assert plain.css == ""
    assert styled.css.index(".text-lg") < styled.css.index(".mine")  # the app's own rules win ties


def test_shadcn_modules_resolve_and_their_own_classes_are_compiled():
    output = build(
        app(
            'import { Button, buttonVariants } from "@/components/ui/button";\n'
            'import { cn } from "@/lib/utils";\n'
            'export default () => <Button variant="outline" className={cn("px-6", "px-2")}>{buttonVariants()}</Button>;'
        )
    )

    assert ".border" in output.css and r".hover\:bg-accent:hover" in output.css  # classes only button.tsx names
    assert ".px-2" in output.css


def test_a_shadcn_module_we_do_not_have_fails_the_build_listing_those_we_do():
    errors = failure(app('import { X } from "@/components/ui/nope";\nexport default () => <X/>;'))

    assert errors[0]["file"] == ENTRY and errors[0]["line"] == 1
    assert errors[0]["message"].startswith('Import "@/components/ui/nope" is not available in Stage')
    assert "@/lib/utils" in errors[0]["message"] and "button" in errors[0]["message"]


def test_changing_a_platform_shadcn_module_or_the_theme_changes_the_builder_fingerprint(monkeypatch, tmp_path):
    import shutil

    copy = tmp_path / "js"
    shutil.copytree(esbuild.JS_DIR, copy)
    monkeypatch.setattr(esbuild, "JS_DIR", copy)
    before = esbuild.builder_fingerprint()

    button = copy / "ui" / "button.tsx"
    button.write_text(button.read_text().replace("rounded-md", "rounded-lg", 1))
    after_button = esbuild.builder_fingerprint()
    (copy / "theme.css").write_text((copy / "theme.css").read_text() + "\n/* changed */\n")

    assert before != after_button != esbuild.builder_fingerprint()  # cached artifacts are not reused after either
