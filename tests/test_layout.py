"""The shape of the code: no import cycles, small modules, core free of Streamlit, pages free of modelling
libraries, and clustering methods and models compared only inside their registries."""
import ast
import re
from pathlib import Path

from core.cluster import METHODS
from core.embedders import AUTO, MODELS

ROOT = Path(__file__).resolve().parent.parent
SOURCES = sorted([*ROOT.glob("core/**/*.py"), *ROOT.glob("ui/*.py"), *ROOT.glob("pages/*.py"), ROOT / "app.py"])


def module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imports(path: Path) -> set[str]:
    """Every project module `path` imports, at the top or inside a function."""
    found = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module:
            found.add(node.module)
            found |= {f"{node.module}.{alias.name}" for alias in node.names}
    return found


def test_no_module_imports_itself_through_others():
    modules = {module_name(p): p for p in SOURCES}
    graph = {name: {m for m in imports(path) if m in modules and m != name} for name, path in modules.items()}
    # a package's __init__ re-exports its submodules; an edge into the package is an edge into them
    state, cycles = {}, []

    def visit(name, path):
        state[name] = "open"
        for other in graph[name]:
            if state.get(other) == "open":
                cycles.append(path[path.index(other):] + [other] if other in path else [name, other])
            elif other not in state:
                visit(other, path + [other])
        state[name] = "done"

    for name in graph:
        if name not in state:
            visit(name, [name])
    real = [c for c in cycles if not all(a.startswith(b + ".") or b.startswith(a + ".") for a, b in zip(c, c[1:]))]
    assert not real, real


def test_no_module_is_over_400_lines():
    long = {str(p.relative_to(ROOT)): n for p in SOURCES if (n := len(p.read_text().splitlines())) > 400}
    assert not long


def test_core_never_imports_streamlit_and_pages_no_modelling_library():
    for path in SOURCES:
        names = {name.split(".")[0] for name in imports(path)}
        if module_name(path).startswith("core"):
            assert "streamlit" not in names, path
        if module_name(path).startswith("pages"):
            assert not names & {"torch", "umap", "sklearn", "transformers", "hdbscan"}, path


def test_method_and_model_names_are_compared_only_in_their_registries():
    names = "|".join(map(re.escape, [*METHODS, *MODELS, AUTO]))
    compared = re.compile(rf"""(==|!=|\bin)\s*\(?\s*["']({names})["']|["']({names})["']\s*(==|!=)""")
    registries = {ROOT / "core" / "cluster.py", ROOT / "core" / "embedders" / "__init__.py"}
    offending = [f"{p.relative_to(ROOT)}:{n}" for p in SOURCES if p not in registries
                 for n, line in enumerate(p.read_text().splitlines(), 1) if compared.search(line)]
    assert not offending
