#!/bin/sh
# Creates the Secrets the Atlas ERP manifests reference, with random values, in the cluster that
# kubectl points at. Nothing secret is committed: this script is the only place the Secrets are
# named with their keys (`npm run k8s:check` holds the manifests to it). Run it once, after the
# namespaces exist and before the rest is applied (docs/runbooks/kind-cluster.md); running it
# again leaves existing Secrets alone, so the database keeps the password it was created with.
set -eu

random() { od -An -N24 -tx1 /dev/urandom | tr -d ' \n'; }

exists() { kubectl get secret "$1" --namespace "$2" >/dev/null 2>&1; }

postgres_password=$(random)
if exists atlas-postgres-admin atlas-infra; then
  postgres_password=$(kubectl get secret atlas-postgres-admin --namespace atlas-infra \
    -o jsonpath='{.data.password}' | base64 -d)
else
  kubectl create secret generic atlas-postgres-admin --namespace atlas-infra \
    --from-literal=password="$postgres_password"
fi

exists atlas-keycloak-admin atlas-infra ||
  kubectl create secret generic atlas-keycloak-admin --namespace atlas-infra \
    --from-literal=username=admin \
    --from-literal=password="$(random)"

# The functions' server URL (no database: each function appends its own, atlas_<service>).
exists atlas-postgres atlas-erp ||
  kubectl create secret generic atlas-postgres --namespace atlas-erp \
    --from-literal=url="postgres://postgres:${postgres_password}@postgres.atlas-infra.svc.cluster.local:5432"

exists atlas-payment-webhook atlas-erp ||
  kubectl create secret generic atlas-payment-webhook --namespace atlas-erp \
    --from-literal=secret="$(random)"

echo "atlas: Secrets present in atlas-infra and atlas-erp"
