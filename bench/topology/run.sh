#!/usr/bin/env bash
# create → Ready and a cold start (first answer from zero), full daemon vs split topology, one run.
# Usage: bash bench/topology/run.sh   (needs `npm run build`; uses free ports and temporary homes)
set -euo pipefail
cd "$(dirname "$0")/../.."
KN="node -- bin/run.js"
ms() { date +%s%3N; }
free_port() { node -e 'const s=require("net").createServer().listen(0,()=>{console.log(s.address().port);s.close()})'; }

measure() { # $1 label, $2 gateway port; KNLITE_HOME/KUBECONFIG set by the caller
  local t0 t1 t2 port=$2
  t0=$(ms); $KN service create bench --image ./examples/hello --annotation autoscaling.knative.dev/window=6s >/dev/null; t1=$(ms)
  kubectl patch cm -n knative-serving config-autoscaler --type merge -p '{"data":{"scale-to-zero-grace-period":"6s"}}' >/dev/null
  until [ "$(kubectl get deploy bench-00001-deployment -o jsonpath='{.spec.replicas}')" = "0" ]; do sleep 0.2; done
  until [ -z "$(kubectl get pods -l serving.knative.dev/revision=bench-00001 -o name)" ]; do sleep 0.2; done
  t2=$(ms); curl -s -o /dev/null -H 'Host: bench.default.localhost' "http://127.0.0.1:$port/"; local t3; t3=$(ms)
  echo "$1: create → Ready $((t1 - t0)) ms; cold start (first answer from zero) $((t3 - t2)) ms"
}

# Full daemon.
export KNLITE_HOME; KNLITE_HOME=$(mktemp -d); P=$(free_port)
$KN cluster start --no-kubeconfig --gateway-port "$P" >/dev/null
export KUBECONFIG=$KNLITE_HOME/kubeconfig
measure "full daemon     " "$P"
$KN cluster stop >/dev/null; rm -rf "$KNLITE_HOME"

# Split topology: daemon with api,runtime; reconciler and gateway as processes.
KNLITE_HOME=$(mktemp -d); P=$(free_port)
$KN cluster start --no-kubeconfig --gateway-port "$P" --components api,runtime >/dev/null
KUBECONFIG=$KNLITE_HOME/kubeconfig
$KN reconciler run --kubeconfig "$KUBECONFIG" --no-leader-elect >/dev/null & R=$!
$KN gateway run --kubeconfig "$KUBECONFIG" --http-port "$P" --admin-port 0 >/dev/null & G=$!
until curl -s -o /dev/null "http://127.0.0.1:$P/"; do sleep 0.1; done
measure "split topology  " "$P"
kill $R $G; wait $R $G 2>/dev/null || true
$KN cluster stop >/dev/null; rm -rf "$KNLITE_HOME"
