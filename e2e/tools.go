//go:build tools

// Package tools pins the programs the e2e cluster builds from one k8s.io/kubernetes version:
// etcd, kube-apiserver, kube-controller-manager and kube-scheduler.
package tools

import (
	_ "go.etcd.io/etcd/server/v3"
	_ "k8s.io/kubernetes/cmd/kube-apiserver"
	_ "k8s.io/kubernetes/cmd/kube-controller-manager"
	_ "k8s.io/kubernetes/cmd/kube-scheduler"
)
