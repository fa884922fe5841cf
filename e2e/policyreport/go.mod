// Pins the module that holds the wgpolicyk8s.io PolicyReport CRDs: the e2e suite applies them from
// the module cache and has the API server judge `check --output policyreport` against them. A
// module of its own, with no package: nothing of it is built, and its dependencies must not move
// those of kube-apiserver.
module github.com/eci-admission/eci-admission/e2e/policyreport

go 1.24.0

require sigs.k8s.io/wg-policy-prototypes v0.0.0-20210911211205-fb8f67bb6d38
