"""Checks of the deployment files: `.ci/lint-deploy` runs them all, tests/deploy each.

Each ``check_*`` returns a list of problems (empty: fine). The tool-backed checks use the
real tool when it is here (``docker compose``/``docker-compose config``,
``kubernetes-validate --strict``, ``systemd-analyze verify``, ``hadolint``; the lint
venv var/lint-venv holds the PyPI ones) and return None when it is not; the structural
checks in Python always run.

    python -m deploy.lint            # every check; exit 1 on any problem
"""
import configparser
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
DEPLOY = ROOT / "deploy"
COMPOSE = DEPLOY / "compose"
K8S = DEPLOY / "k8s"
SYSTEMD = DEPLOY / "systemd"
TOOL_BIN = ROOT / "var" / "lint-venv" / "bin"
COMPOSE_FILES = ("platform.yml", "civil-affairs.yml", "justice.yml", "city-gateway.yml",
                 "rabbitmq-cluster.yml")
# compose file -> the parts it runs (must agree with broker_users.DEPARTMENTS)
COMPOSE_PARTS = {"civil-affairs.yml": "civil-affairs", "justice.yml": "justice",
                 "city-gateway.yml": "city"}
PARTS = ("registry", "evaluation", "mediation", "legalservices", "corrections", "notifications",
         "gateway")
VAR = re.compile(r"\$\{([A-Z][A-Z0-9_]*)")


def tool(name):
    """Path of a lint tool: the lint venv first, then PATH."""
    candidate = TOOL_BIN / name
    return str(candidate) if candidate.exists() else shutil.which(name)


def _run(cmd, **kwargs):
    result = subprocess.run(cmd, capture_output=True, text=True, timeout=300, **kwargs)
    return result.returncode, (result.stdout + result.stderr).strip()


# --- compose ---------------------------------------------------------------------------

def compose_command():
    docker = shutil.which("docker")
    if docker and _run([docker, "compose", "version"])[0] == 0:
        return [docker, "compose"]
    legacy = shutil.which("docker-compose")
    return [legacy] if legacy else None


def check_compose_tool():
    cmd = compose_command()
    if cmd is None:
        return None
    problems = []
    for name in COMPOSE_FILES:
        code, out = _run(cmd + ["-f", str(COMPOSE / name), "--env-file",
                                str(COMPOSE / "example.env"), "config", "-q"])
        if code:
            problems.append(f"{name}: {out}")
    return problems


def check_compose_structure():
    from deploy.rabbitmq.broker_users import DEPARTMENTS

    problems = []
    documented = set(re.findall(r"^([A-Z][A-Z0-9_]*)=", (COMPOSE / "example.env").read_text(),
                                re.M))
    base = yaml.safe_load((COMPOSE / "services.yml").read_text())["services"]
    for part in PARTS:
        spec = base.get(part)
        if not spec:
            problems.append(f"services.yml: no {part}")
            continue
        for key in ("image", "build", "environment"):
            if key not in spec:
                problems.append(f"services.yml: {part} has no {key}")
        if spec.get("read_only") is not True or spec.get("cap_drop") != ["ALL"]:
            problems.append(f"services.yml: {part} is not read-only with every capability dropped")
    for name in ("services.yml", *COMPOSE_FILES):
        text = (COMPOSE / name).read_text()
        for var in sorted(set(VAR.findall(text)) - documented):
            problems.append(f"{name}: ${{{var}}} is not in example.env")
        services = yaml.safe_load(text)["services"]
        for service, spec in services.items():
            target = (spec.get("extends") or {}).get("service")
            if target and target not in base:
                problems.append(f"{name}: {service} extends unknown {target}")
            if service in PARTS and not spec.get("extends") and name != "services.yml":
                problems.append(f"{name}: {service} does not extend services.yml")
        if name in COMPOSE_PARTS:
            want = set(DEPARTMENTS[COMPOSE_PARTS[name]])
            if set(services) != want:
                problems.append(f"{name}: runs {sorted(services)}, the department runs "
                                f"{sorted(want)}")
            for service, spec in services.items():
                env = spec.get("environment", {})
                if "AMQP_URI" not in env or not any(k.endswith("_DATABASE_URL") for k in env):
                    problems.append(f"{name}: {service} lacks its broker or database URL")
    platform = yaml.safe_load((COMPOSE / "platform.yml").read_text())["services"]
    missing = (set(PARTS) | {"rabbitmq", "postgres", "broker-setup"}) - set(platform)
    if missing:
        problems.append(f"platform.yml: missing {sorted(missing)}")
    return problems


# --- Kubernetes ------------------------------------------------------------------------

def k8s_documents():
    docs = []
    for path in sorted(K8S.glob("*.yaml")):
        if path.name == "kustomization.yaml":
            continue
        docs += [(path.name, doc) for doc in yaml.safe_load_all(path.read_text()) if doc]
    return docs


def check_k8s_tool():
    validate = tool("kubernetes-validate")
    if not validate:
        return None
    files = [str(p) for p in sorted(K8S.glob("*.yaml")) if p.name != "kustomization.yaml"]
    code, out = _run([validate, "--strict", "--quiet", "--no-warn", *files])
    return [out or "kubernetes-validate failed"] if code else []


def _containers(spec):
    pod = spec["spec"]["template"]["spec"]
    return pod, pod.get("initContainers", []), pod.get("containers", [])


def check_k8s_structure():
    problems = []
    docs = k8s_documents()
    kinds = {}
    for name, doc in docs:
        for key in ("apiVersion", "kind", "metadata"):
            if key not in doc:
                problems.append(f"{name}: a document without {key}")
        kinds.setdefault(doc.get("kind"), {})[doc["metadata"]["name"]] = doc
    secret_keys = set(kinds.get("Secret", {}).get("fazhi-secrets", {}).get("stringData", {}))
    config_keys = set(kinds.get("ConfigMap", {}).get("fazhi-config", {}).get("data", {}))
    deployments = kinds.get("Deployment", {})
    if set(deployments) != set(PARTS):
        problems.append(f"Deployments {sorted(deployments)}, want {sorted(PARTS)}")
    for name, deployment in deployments.items():
        pod, inits, containers = _containers(deployment)
        if not pod.get("securityContext", {}).get("runAsNonRoot"):
            problems.append(f"{name}: pod does not run as non-root")
        if not any(c.get("args") == ["migrate"] for c in inits):
            problems.append(f"{name}: no migrate init container")
        for container in inits + containers:
            sc = container.get("securityContext", {})
            if sc.get("readOnlyRootFilesystem") is not True or sc.get(
                    "allowPrivilegeEscalation") is not False:
                problems.append(f"{name}/{container['name']}: not read-only or may escalate")
            if "requests" not in container.get("resources", {}):
                problems.append(f"{name}/{container['name']}: no resource requests")
            for env in container.get("env", []):
                ref = env.get("valueFrom", {})
                if "secretKeyRef" in ref and ref["secretKeyRef"]["key"] not in secret_keys:
                    problems.append(f"{name}: secret key {ref['secretKeyRef']['key']} missing")
                if "configMapKeyRef" in ref and ref["configMapKeyRef"]["key"] not in config_keys:
                    problems.append(f"{name}: config key {ref['configMapKeyRef']['key']} missing")
        for container in containers:
            for probe in ("readinessProbe", "livenessProbe"):
                if probe not in container:
                    problems.append(f"{name}/{container['name']}: no {probe}")
    hpas = kinds.get("HorizontalPodAutoscaler", {})
    for target in ("gateway", "mediation"):
        hpa = next((h for h in hpas.values()
                    if h["spec"]["scaleTargetRef"]["name"] == target), None)
        if hpa is None:
            problems.append(f"no HorizontalPodAutoscaler for {target}")
        elif target not in deployments:
            problems.append(f"HorizontalPodAutoscaler targets unknown {target}")
    if "gateway" not in kinds.get("Service", {}):
        problems.append("no Service for the gateway")
    kustomization = yaml.safe_load((K8S / "kustomization.yaml").read_text())
    listed = set(kustomization.get("resources", []))
    present = {p.name for p in K8S.glob("*.yaml")} - {"kustomization.yaml"}
    if listed != present:
        problems.append(f"kustomization.yaml resources {sorted(listed)} != files {sorted(present)}")
    return problems


# --- systemd ---------------------------------------------------------------------------

UNITS = ("fazhi@.service", "fazhi-gateway.service", "fazhi.target")


def check_systemd_tool():
    analyze = shutil.which("systemd-analyze")
    if not analyze:
        return None
    # verify wants the executables to exist: point /opt/fazhi at this checkout
    with tempfile.TemporaryDirectory() as tmp:
        for unit in UNITS:
            text = (SYSTEMD / unit).read_text().replace("/opt/fazhi", str(ROOT))
            (Path(tmp) / unit).write_text(text)
        (Path(tmp) / "fazhi@registry.service").write_text((Path(tmp) / UNITS[0]).read_text())
        if not (ROOT / ".venv" / "bin" / "fazhi-service").exists():
            return None
        code, out = _run([analyze, "verify", "fazhi@registry.service", "fazhi-gateway.service",
                          "fazhi.target"], cwd=tmp)
    return [out] if code or out else []


def check_systemd_structure():
    problems = []
    for unit in UNITS[:2]:
        parser = configparser.ConfigParser(strict=False, interpolation=None)
        parser.optionxform = str
        parser.read_string((SYSTEMD / unit).read_text())
        service = parser["Service"]
        for key in ("User", "ExecStart", "ExecStartPre", "EnvironmentFile", "NoNewPrivileges",
                    "ProtectSystem", "PrivateTmp", "CapabilityBoundingSet",
                    "SystemCallFilter", "Restart"):
            if key not in service:
                problems.append(f"{unit}: no {key}")
        if "fazhi_common.migrate upgrade" not in service.get("ExecStartPre", ""):
            problems.append(f"{unit}: ExecStartPre does not migrate")
    return problems


# --- Dockerfile, shell, broker definitions, documentation ------------------------------

def check_dockerfile_tool():
    hadolint = tool("hadolint")
    if not hadolint:
        return None
    code, out = _run([hadolint, "--no-color", str(DEPLOY / "docker" / "Dockerfile")])
    return [out] if code else []


def check_dockerfile_structure():
    text = (DEPLOY / "docker" / "Dockerfile").read_text()
    problems = [f"Dockerfile: no {word}" for word in ("USER 10001", "HEALTHCHECK", "ARG SERVICE",
                                                      "ENTRYPOINT") if word not in text]
    ignore = (ROOT / ".dockerignore").read_text()
    for source in re.findall(r"^COPY (?!--from)(?:--\S+ )*(\S+)", text, re.M):
        if f"!{source}" not in ignore and f"!{source}/" not in ignore:
            problems.append(f".dockerignore leaves out {source}, which the Dockerfile copies")
    return problems


def check_shell():
    problems = []
    for shell, path in (("sh", DEPLOY / "docker" / "entrypoint.sh"),
                        ("sh", DEPLOY / "postgres" / "initdb.sh"),
                        ("bash", ROOT / "scripts" / "department"),
                        ("bash", ROOT / ".ci" / "lint-deploy")):
        code, out = _run([shell, "-n", str(path)])
        if code:
            problems.append(f"{path.name}: {out}")
        if not os.access(path, os.X_OK):
            problems.append(f"{path.name} is not executable")
    return problems


def check_definitions():
    from deploy.rabbitmq.broker_users import all_permissions, definitions

    committed = json.loads((DEPLOY / "rabbitmq" / "definitions.json").read_text())
    if committed != definitions(committed["vhosts"][0]["name"], all_permissions()):
        return ["deploy/rabbitmq/definitions.json is stale (the event contracts changed): "
                "python deploy/rabbitmq/broker_users.py definitions --vhost fazhi "
                "--no-passwords > deploy/rabbitmq/definitions.json"]
    return []


def check_documented_variables():
    """Every ${VAR} of every config.yml is in docs/operations.md."""
    doc = (ROOT / "docs" / "operations.md").read_text()
    problems = []
    for config in [ROOT / "gateway" / "config.yml", *sorted(ROOT.glob("services/*/config.yml"))]:
        text = "\n".join(line for line in config.read_text().splitlines()
                         if not line.lstrip().startswith("#"))
        for var in sorted(set(VAR.findall(text))):
            if f"`{var}`" not in doc:
                problems.append(f"{config.relative_to(ROOT)}: {var} is not in docs/operations.md")
    return problems


CHECKS = [
    ("compose (docker compose config)", check_compose_tool),
    ("compose structure", check_compose_structure),
    ("kubernetes (kubernetes-validate --strict)", check_k8s_tool),
    ("kubernetes structure", check_k8s_structure),
    ("systemd (systemd-analyze verify)", check_systemd_tool),
    ("systemd structure", check_systemd_structure),
    ("Dockerfile (hadolint)", check_dockerfile_tool),
    ("Dockerfile structure", check_dockerfile_structure),
    ("shell syntax", check_shell),
    ("RabbitMQ definitions", check_definitions),
    ("configuration documented", check_documented_variables),
]


def tools_required():
    """In CI (``FAZHI_REQUIRE_LINT_TOOLS=1``, set by .ci/run) a missing tool is a failure."""
    return os.environ.get("FAZHI_REQUIRE_LINT_TOOLS") == "1"


def main():
    failed = False
    for title, check in CHECKS:
        problems = check()
        if problems is None and tools_required():
            problems = ["tool not installed, and FAZHI_REQUIRE_LINT_TOOLS=1 requires it"]
        if problems is None:
            print(f"SKIP {title}: tool not installed")
            continue
        print(f"{'FAIL' if problems else 'ok  '} {title}")
        for problem in problems:
            print(f"     {problem}")
        failed = failed or bool(problems)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT))
    sys.exit(main())
