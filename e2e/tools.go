//go:build tools

// Package tools pins the two programs the e2e suite builds: kube-apiserver and etcd.
package tools

import (
	_ "go.etcd.io/etcd/server/v3"
	_ "k8s.io/kubernetes/cmd/kube-apiserver"
)
