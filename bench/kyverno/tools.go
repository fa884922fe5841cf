//go:build tools

// Package tools pins the peer the cluster bench measures: Kyverno's admission controller and its
// CLI (kubectl-kyverno, whose `apply` the check bench compares with `eci-admission check`).
package tools

import (
	_ "github.com/kyverno/kyverno/cmd/cli/kubectl-kyverno"
	_ "github.com/kyverno/kyverno/cmd/kyverno"
)
