package main

import (
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// virtualNode is an ACK virtual node as the scheduler sees it: named virtual-kubelet-<zone>,
// labelled type=virtual-kubelet and tainted virtual-kubelet.io/provider=alibabacloud:NoSchedule
// (Alibaba Cloud, "Schedule pods to elastic container instances by using virtual nodes",
// https://www.alibabacloud.com/help/en/container-service-for-kubernetes/latest/deploy-the-virtual-node-controller-and-use-it-to-create-elastic-container-instance-based-pods).
// Its capacity stands for ECI's, which has no node to fill: far more than any test asks, so
// only the label and the taint decide what lands here. The figures are ours, not documented ones.
func virtualNode(name string, opts options) corev1.Node {
	labels := commonLabels(name, opts)
	labels["type"] = "virtual-kubelet"
	return corev1.Node{
		ObjectMeta: metav1.ObjectMeta{Name: name, Labels: labels},
		Spec: corev1.NodeSpec{
			Taints: []corev1.Taint{{Key: "virtual-kubelet.io/provider", Value: "alibabacloud", Effect: corev1.TaintEffectNoSchedule}},
		},
		Status: nodeStatus(opts, corev1.ResourceList{
			corev1.ResourceCPU:              resource.MustParse("2000"),
			corev1.ResourceMemory:           resource.MustParse("8000Gi"),
			corev1.ResourcePods:             resource.MustParse("5000"),
			corev1.ResourceEphemeralStorage: resource.MustParse("100Ti"),
		}),
	}
}

// ordinaryNode is an ECS node of a node pool: no virtual label, no taint, a machine's capacity
// (110 pods is the kubelet's default maxPods).
func ordinaryNode(name string, opts options) corev1.Node {
	return corev1.Node{
		ObjectMeta: metav1.ObjectMeta{Name: name, Labels: commonLabels(name, opts)},
		Status: nodeStatus(opts, corev1.ResourceList{
			corev1.ResourceCPU:              resource.MustParse("8"),
			corev1.ResourceMemory:           resource.MustParse("32Gi"),
			corev1.ResourcePods:             resource.MustParse("110"),
			corev1.ResourceEphemeralStorage: resource.MustParse("120Gi"),
		}),
	}
}

// commonLabels are the well-known labels a node may set on itself under NodeRestriction.
func commonLabels(name string, opts options) map[string]string {
	return map[string]string{
		"kubernetes.io/hostname":        name,
		"kubernetes.io/os":              "linux",
		"kubernetes.io/arch":            "amd64",
		"topology.kubernetes.io/region": opts.region,
		"topology.kubernetes.io/zone":   opts.zone,
	}
}

func nodeStatus(opts options, capacity corev1.ResourceList) corev1.NodeStatus {
	// Ready is turned True by virtual-kubelet once its controllers run; no pressure ever.
	conditions := []corev1.NodeCondition{{Type: corev1.NodeReady, Status: corev1.ConditionFalse, Reason: "Starting"}}
	for _, kind := range []corev1.NodeConditionType{corev1.NodeMemoryPressure, corev1.NodeDiskPressure, corev1.NodePIDPressure, corev1.NodeNetworkUnavailable} {
		conditions = append(conditions, corev1.NodeCondition{Type: kind, Status: corev1.ConditionFalse, Reason: "NoPressure"})
	}
	return corev1.NodeStatus{
		Phase:       corev1.NodePending,
		Capacity:    capacity,
		Allocatable: capacity,
		Conditions:  conditions,
		Addresses: []corev1.NodeAddress{
			{Type: corev1.NodeInternalIP, Address: opts.internalIP},
		},
		NodeInfo: corev1.NodeSystemInfo{
			KubeletVersion:  opts.kubeletVersion,
			OperatingSystem: "linux",
			Architecture:    "amd64",
		},
	}
}
