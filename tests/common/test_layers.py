"""The layers docs/architecture.md states, read off the source tree.

1. contracts (``fazhi_common.contracts``) and the division code: standard library and
   marshmallow only;
2. machinery (the rest of ``fazhi_common``): contracts, never a service, the gateway or the
   console;
3. services: the shared package and their own package only; the gateway (the console is a
   part of it, ``gateway.console``): the shared package, never a service.
No module imports a project module inside a function (a lazy import hides a loop), and no
module grows past 500 lines.
"""
import ast
import subprocess
import sys
import sysconfig
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
STDLIB = set(sys.stdlib_module_names)
SERVICES = sorted(p.parent.name for p in (ROOT / "services").glob("*/pyproject.toml"))
SERVICE_PACKAGES = {p.parent.name: p for p in (ROOT / "services").glob("*/*/service.py")}


def sources():
    """(layer, package, path) of every project module outside migrations."""
    for path in (ROOT / "common" / "fazhi_common").rglob("*.py"):
        rel = path.relative_to(ROOT / "common" / "fazhi_common")
        contract = rel.parts[0] == "contracts" or rel.name == "division.py"
        yield ("contracts" if contract else "machinery"), "fazhi_common", path
    for package, path in SERVICE_PACKAGES.items():
        for module in path.parent.rglob("*.py"):
            yield "service", package, module
    for path in (ROOT / "gateway" / "gateway").rglob("*.py"):
        yield "gateway", "gateway", path


def imports(path):
    """(module imported, at module level?) for every import statement of ``path``."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    top = {id(node) for node in tree.body}
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield alias.name, id(node) in top
        elif isinstance(node, ast.ImportFrom) and node.level == 0:
            yield node.module, id(node) in top


def allowed(layer, package, module):
    root = module.split(".")[0]
    if root in STDLIB:
        return True
    project = {"fazhi_common", "gateway", *SERVICE_PACKAGES}
    if layer == "contracts":
        return root == "marshmallow" or module == "fazhi_common.division" or \
            module.startswith("fazhi_common.contracts")
    if root not in project:
        return True  # a third-party library
    if layer == "machinery":
        return root == "fazhi_common"
    if layer == "service":
        return root in ("fazhi_common", package)
    if layer == "gateway":
        return root in ("fazhi_common", "gateway")
    return False


def test_every_import_keeps_to_its_layer():
    broken = [f"{path.relative_to(ROOT)} ({layer}) imports {module}"
              for layer, package, path in sources()
              for module, _ in imports(path) if not allowed(layer, package, module)]
    assert not broken, "imports that break the layers of docs/architecture.md:\n" + \
        "\n".join(broken)


def test_no_project_module_is_imported_lazily():
    project = ("fazhi_common", "gateway", *SERVICE_PACKAGES)
    lazy = [f"{path.relative_to(ROOT)} imports {module} inside a function"
            for _, _, path in sources()
            for module, at_top in imports(path)
            if not at_top and module.split(".")[0] in project]
    assert not lazy, "\n".join(lazy)


# every layer, the contracts too (split by service, then by sub-domain); migrations aside
@pytest.mark.parametrize("layer", ["contracts", "machinery", "service", "gateway"])
def test_no_module_grows_past_500_lines(layer):
    long = [f"{path.relative_to(ROOT)}: {n} lines" for lay, _, path in sources()
            if lay == layer and (n := len(path.read_text(encoding="utf-8").splitlines())) > 500]
    assert not long, "split these by sub-domain:\n" + "\n".join(long)


def test_the_layer_check_sees_a_broken_import(tmp_path):
    # the checker itself: a contract importing the bus, a service importing another
    assert not allowed("contracts", "fazhi_common", "nameko.rpc")
    assert not allowed("contracts", "fazhi_common", "fazhi_common.db")
    assert not allowed("service", "mediation", "registry.models")
    assert not allowed("gateway", "gateway", "mediation.domain")
    assert not allowed("machinery", "fazhi_common", "gateway.rpc")
    assert allowed("service", "mediation", "fazhi_common.outbox")


CONTRACTS_ALONE = """
import importlib, pkgutil, sys

class Refuse:
    # the bus, the database and the web stack may not load with the contracts
    BANNED = ("nameko", "kombu", "sqlalchemy", "eventlet", "amqp", "flask", "cryptography")
    def find_spec(self, name, path=None, target=None):
        if name.split(".")[0] in self.BANNED:
            raise ImportError(f"the contracts pulled in {name}")
        return None

sys.meta_path.insert(0, Refuse())
import fazhi_common.contracts as contracts
for info in pkgutil.walk_packages(contracts.__path__, "fazhi_common.contracts."):
    importlib.import_module(info.name)
print(len([m for m in sys.modules if m.startswith("fazhi_common.contracts")]))
"""


def test_the_contracts_load_without_the_bus_or_a_database():
    run = subprocess.run([sys.executable, "-c", CONTRACTS_ALONE], capture_output=True,
                         text=True, cwd=sysconfig.get_paths()["purelib"])
    assert run.returncode == 0, run.stderr
    assert int(run.stdout) >= 10  # api, events and their modules, roles, vocabulary...


@pytest.mark.parametrize("package", sorted(SERVICE_PACKAGES))
def test_nameko_run_finds_one_service_in_each_service_module(package):
    """``nameko run <package>.service`` runs every class with entrypoints it sees at the top
    of the module: a mixin or base imported by name there would be run as a service too."""
    from nameko.cli.run import import_service

    found = import_service(f"{package}.service")
    assert [cls.name for cls in found] == [package], found
