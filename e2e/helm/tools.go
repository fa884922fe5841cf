//go:build tools

// Package tools pins helm, which the e2e suite builds to lint, render and install the chart in
// charts/. A module of its own: helm's dependencies must not move those of kube-apiserver.
package tools

import _ "helm.sh/helm/v3/cmd/helm"
