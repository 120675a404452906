"""The import structure holds: no import circles, and arrows point only down the layers.

Layers, bottom up: the kernel (`core`) knows no app; the platform's core domain (`stage`) knows only the kernel;
the plug-ins (`published_api`, `workflows`) know the core and the kernel, never each other. Every import counts,
at module level or inside a function: a lazy import is still an arrow.
"""

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
LAYERS = {"core": 0, "stage": 1, "published_api": 2, "workflows": 2}


def _module_name(root: Path, path: Path) -> str:
    parts = list(path.relative_to(root).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def import_graph(root: Path, packages) -> dict[str, set[str]]:
    """module -> the modules of `packages` it imports (a `from package import name` names the submodule when
    there is one)."""
    files = {_module_name(root, path): path for package in packages for path in (root / package).rglob("*.py")}
    graph = {}
    for module, path in files.items():
        is_package = path.name == "__init__.py"
        targets = set()
        for node in ast.walk(ast.parse(path.read_text(), str(path))):
            if isinstance(node, ast.Import):
                targets.update(alias.name for alias in node.names)
            elif isinstance(node, ast.ImportFrom):
                base = node.module or ""
                if node.level:
                    anchor = module.split(".")
                    anchor = anchor[: len(anchor) - node.level + (1 if is_package else 0)]
                    base = ".".join([*anchor, base] if base else anchor)
                for alias in node.names:
                    targets.add(f"{base}.{alias.name}" if f"{base}.{alias.name}" in files else base)
        graph[module] = {_nearest(target, files) for target in targets if target.split(".")[0] in packages} - {
            module,
            None,
        }
    return graph


def _nearest(name: str, files) -> str | None:
    """The module an imported name lives in: itself, or the closest package above it that is a file here."""
    while name and name not in files:
        name = name.rpartition(".")[0]
    return name or None


def circles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected groups of more than one module (Tarjan, iteratively)."""
    index, low, on_stack, stack, found, counter = {}, {}, set(), [], [], [0]
    for start in graph:
        if start in index:
            continue
        work = [(start, iter(sorted(graph[start])))]
        index[start] = low[start] = counter[0]
        counter[0] += 1
        stack.append(start)
        on_stack.add(start)
        while work:
            node, children = work[-1]
            child = next(children, None)
            if child is not None:
                if child not in index:
                    index[child] = low[child] = counter[0]
                    counter[0] += 1
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(sorted(graph.get(child, ())))))
                elif child in on_stack:
                    low[node] = min(low[node], index[child])
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[node])
            if low[node] == index[node]:
                group = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    group.append(member)
                    if member == node:
                        break
                if len(group) > 1:
                    found.append(sorted(group))
    return found


def arrows_against_the_layers(graph: dict[str, set[str]], layers: dict[str, int]) -> list[str]:
    wrong = []
    for module, targets in graph.items():
        home = module.split(".")[0]
        for target in targets:
            there = target.split(".")[0]
            if there != home and layers[there] >= layers[home]:
                wrong.append(f"{module} -> {target}")
    return sorted(wrong)


def test_the_code_has_no_import_circles_and_every_arrow_points_down():
    graph = import_graph(ROOT, LAYERS)
    assert len(graph) > 200, "the walk found the code"
    assert circles(graph) == []
    assert arrows_against_the_layers(graph, LAYERS) == []


def test_the_walk_sees_a_circle_an_upward_arrow_and_a_plug_in_importing_another(tmp_path):
    files = {
        "core/__init__.py": "",
        "core/errors.py": "from stage.models import App\n",  # the kernel knowing an app
        "stage/__init__.py": "",
        "stage/models.py": "def f():\n    from stage import views\n",  # a lazy import closes the circle
        "core/ids.py": "",
        "stage/views.py": "from .models import f\nfrom core.ids import X\n",
        "plugin_a/__init__.py": "",
        "plugin_a/run.py": "import plugin_b.run\n",
        "plugin_b/__init__.py": "",
        "plugin_b/run.py": "from stage.models import f\n",
    }
    for name, text in files.items():
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text(text)
    layers = {"core": 0, "stage": 1, "plugin_a": 2, "plugin_b": 2}
    graph = import_graph(tmp_path, layers)
    assert circles(graph) == [["stage.models", "stage.views"]]
    assert arrows_against_the_layers(graph, layers) == ["core.errors -> stage.models", "plugin_a.run -> plugin_b.run"]
