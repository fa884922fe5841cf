package main

import (
	"fmt"
	"strings"

	"github.com/virtual-kubelet/virtual-kubelet/errdefs"
	corev1 "k8s.io/api/core/v1"
)

// refusal says why the node cannot run a pod, or nil when it can.
type refusal func(pod *corev1.Pod) error

// What ECI refuses to create, as the virtual node reports it: the create fails, and
// virtual-kubelet marks the pod ProviderFailed (Failed under restartPolicy Never, else Pending)
// with a ProviderCreateFailed Event. Written here from the documentation, not from
// eci-admission's rules, so the e2e suite compares two independent accounts. Sources:
//   - Alibaba Cloud, "Overview of Elastic Container Instance", Limits (no DaemonSets, hostPath,
//     hostNetwork, host PID/IPC namespaces, host ports or privileged containers),
//     https://www.alibabacloud.com/help/en/container-service-for-kubernetes/latest/elastic-container-instance-overview
//   - Alibaba Cloud ECI, "Limits" (containers and volumes per instance: 20, not adjustable),
//     https://www.alibabacloud.com/help/doc-detail/89138.htm
const (
	maxContainers = 20
	maxVolumes    = 20
)

func eciRefusal(pod *corev1.Pod) error {
	var reasons []string
	add := func(format string, args ...any) { reasons = append(reasons, fmt.Sprintf(format, args...)) }
	for _, owner := range pod.OwnerReferences {
		if owner.Kind == "DaemonSet" {
			add("DaemonSet pods are not supported (owner %s)", owner.Name)
		}
	}
	spec := &pod.Spec
	if spec.HostNetwork {
		add("hostNetwork is not supported")
	}
	if spec.HostPID {
		add("hostPID is not supported")
	}
	if spec.HostIPC {
		add("hostIPC is not supported")
	}
	for _, volume := range spec.Volumes {
		if volume.HostPath != nil {
			add("volume %q: hostPath is not supported", volume.Name)
		}
	}
	if len(spec.Volumes) > maxVolumes {
		add("%d volumes, more than the %d of one instance", len(spec.Volumes), maxVolumes)
	}
	containers := len(spec.InitContainers) + len(spec.Containers)
	if containers > maxContainers {
		add("%d containers, more than the %d of one instance", containers, maxContainers)
	}
	for _, container := range append(append([]corev1.Container{}, spec.InitContainers...), spec.Containers...) {
		if sc := container.SecurityContext; sc != nil && sc.Privileged != nil && *sc.Privileged {
			add("container %q: privileged is not supported", container.Name)
		}
		for _, port := range container.Ports {
			if port.HostPort != 0 {
				add("container %q: hostPort %d is not supported", container.Name, port.HostPort)
			}
		}
	}
	if len(reasons) == 0 {
		return nil
	}
	return errdefs.InvalidInput("CreateContainerGroup refused: " + strings.Join(reasons, "; "))
}
