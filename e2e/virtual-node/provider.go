package main

import (
	"context"
	"fmt"
	"io"
	"sync"
	"time"

	dto "github.com/prometheus/client_model/go"
	"github.com/virtual-kubelet/virtual-kubelet/errdefs"
	"github.com/virtual-kubelet/virtual-kubelet/log"
	"github.com/virtual-kubelet/virtual-kubelet/node/api"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
	corev1client "k8s.io/client-go/kubernetes/typed/core/v1"
	statsv1alpha1 "k8s.io/kubelet/pkg/apis/stats/v1alpha1"
)

// podProvider keeps the pods bound to its node in memory and reports them as a kubelet would,
// without running anything: accepted pods are Running at once, and pods whose restartPolicy is
// not Always (a Job's) succeed shortly after.
type podProvider struct {
	client        corev1client.PodsGetter
	nodeName      string
	hostIP        string
	refuse        refusal
	completeAfter time.Duration

	mu     sync.Mutex
	pods   map[string]*corev1.Pod
	notify func(*corev1.Pod)
	// Pod IPs are handed out in order; nothing ever connects to them (there is no pod network).
	nextIP int
}

func newPodProvider(client corev1client.PodsGetter, nodeName, hostIP string, refuse refusal, completeAfter time.Duration) *podProvider {
	return &podProvider{client: client, nodeName: nodeName, hostIP: hostIP, refuse: refuse, completeAfter: completeAfter, pods: map[string]*corev1.Pod{}, notify: func(*corev1.Pod) {}}
}

func key(namespace, name string) string { return namespace + "/" + name }

// NotifyPods makes the provider asynchronous: virtual-kubelet reads pod status only from here.
func (p *podProvider) NotifyPods(_ context.Context, notify func(*corev1.Pod)) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.notify = notify
}

func (p *podProvider) CreatePod(_ context.Context, pod *corev1.Pod) error {
	if p.refuse != nil {
		if err := p.refuse(pod); err != nil {
			return err
		}
	}
	p.mu.Lock()
	p.nextIP++
	pod.Status = runningStatus(pod, p.hostIP, fmt.Sprintf("10.244.%d.%d", p.nextIP/250, p.nextIP%250+1))
	p.pods[key(pod.Namespace, pod.Name)] = pod
	notify := p.notify
	p.mu.Unlock()
	notify(pod.DeepCopy())
	if pod.Spec.RestartPolicy != corev1.RestartPolicyAlways {
		time.AfterFunc(p.completeAfter, func() { p.finish(pod.Namespace, pod.Name, pod.UID) })
	}
	return nil
}

// finish ends a pod's containers with exit code 0, unless the pod is gone or was replaced.
func (p *podProvider) finish(namespace, name string, uid types.UID) {
	p.mu.Lock()
	pod, ok := p.pods[key(namespace, name)]
	if !ok || pod.UID != uid {
		p.mu.Unlock()
		return
	}
	terminate(&pod.Status, corev1.PodSucceeded)
	copied, notify := pod.DeepCopy(), p.notify
	p.mu.Unlock()
	notify(copied)
}

func (p *podProvider) UpdatePod(_ context.Context, pod *corev1.Pod) error {
	p.mu.Lock()
	defer p.mu.Unlock()
	known, ok := p.pods[key(pod.Namespace, pod.Name)]
	if !ok {
		return errdefs.NotFoundf("pod %s/%s is not on %s", pod.Namespace, pod.Name, p.nodeName)
	}
	pod.Status = known.Status
	p.pods[key(pod.Namespace, pod.Name)] = pod
	return nil
}

// DeletePod stops the pod's containers at once and, as a kubelet does once they have stopped,
// removes the pod from the API. (virtual-kubelet alone would wait out the whole grace period.)
func (p *podProvider) DeletePod(ctx context.Context, pod *corev1.Pod) error {
	p.mu.Lock()
	known, ok := p.pods[key(pod.Namespace, pod.Name)]
	if !ok {
		p.mu.Unlock()
		return errdefs.NotFoundf("pod %s/%s is not on %s", pod.Namespace, pod.Name, p.nodeName)
	}
	delete(p.pods, key(pod.Namespace, pod.Name))
	deleted := known.DeepCopy()
	if deleted.Status.Phase == corev1.PodRunning {
		terminate(&deleted.Status, corev1.PodSucceeded)
	}
	notify := p.notify
	p.mu.Unlock()
	notify(deleted)
	go p.removeFromAPI(context.WithoutCancel(ctx), pod)
	return nil
}

func (p *podProvider) removeFromAPI(ctx context.Context, pod *corev1.Pod) {
	now := int64(0)
	options := metav1.DeleteOptions{GracePeriodSeconds: &now, Preconditions: &metav1.Preconditions{UID: &pod.UID}}
	err := p.client.Pods(pod.Namespace).Delete(ctx, pod.Name, options)
	if err != nil && !apierrors.IsNotFound(err) && !apierrors.IsConflict(err) {
		log.G(ctx).WithError(err).Warnf("removing the stopped pod %s/%s", pod.Namespace, pod.Name)
	}
}

func (p *podProvider) GetPod(_ context.Context, namespace, name string) (*corev1.Pod, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	pod, ok := p.pods[key(namespace, name)]
	if !ok {
		return nil, errdefs.NotFoundf("pod %s/%s is not on %s", namespace, name, p.nodeName)
	}
	return pod.DeepCopy(), nil
}

func (p *podProvider) GetPodStatus(ctx context.Context, namespace, name string) (*corev1.PodStatus, error) {
	pod, err := p.GetPod(ctx, namespace, name)
	if err != nil {
		return nil, err
	}
	return &pod.Status, nil
}

func (p *podProvider) GetPods(context.Context) ([]*corev1.Pod, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	pods := make([]*corev1.Pod, 0, len(p.pods))
	for _, pod := range p.pods {
		pods = append(pods, pod.DeepCopy())
	}
	return pods, nil
}

// Nothing runs, so there is nothing to read, exec into, attach to or forward.
var errNothingRuns = errdefs.InvalidInput("no container runs on this node: it reports pods without executing images")

func (p *podProvider) GetContainerLogs(context.Context, string, string, string, api.ContainerLogOpts) (io.ReadCloser, error) {
	return nil, errNothingRuns
}

func (p *podProvider) RunInContainer(context.Context, string, string, string, []string, api.AttachIO) error {
	return errNothingRuns
}

func (p *podProvider) AttachToContainer(context.Context, string, string, string, api.AttachIO) error {
	return errNothingRuns
}

func (p *podProvider) PortForward(context.Context, string, string, int32, io.ReadWriteCloser) error {
	return errNothingRuns
}

func (p *podProvider) GetStatsSummary(context.Context) (*statsv1alpha1.Summary, error) {
	return &statsv1alpha1.Summary{Node: statsv1alpha1.NodeStats{NodeName: p.nodeName}}, nil
}

func (p *podProvider) GetMetricsResource(context.Context) ([]*dto.MetricFamily, error) {
	return nil, nil
}

// runningStatus is what a kubelet reports once every container has started and is ready.
func runningStatus(pod *corev1.Pod, hostIP, podIP string) corev1.PodStatus {
	now := metav1.Now()
	status := corev1.PodStatus{
		Phase:     corev1.PodRunning,
		HostIP:    hostIP,
		HostIPs:   []corev1.HostIP{{IP: hostIP}},
		PodIP:     podIP,
		PodIPs:    []corev1.PodIP{{IP: podIP}},
		StartTime: &now,
		QOSClass:  pod.Status.QOSClass,
	}
	for _, kind := range []corev1.PodConditionType{corev1.PodScheduled, corev1.PodReadyToStartContainers, corev1.PodInitialized, corev1.ContainersReady, corev1.PodReady} {
		status.Conditions = append(status.Conditions, corev1.PodCondition{Type: kind, Status: corev1.ConditionTrue, LastTransitionTime: now})
	}
	for _, container := range pod.Spec.InitContainers {
		state := corev1.ContainerState{Terminated: &corev1.ContainerStateTerminated{ExitCode: 0, Reason: "Completed", StartedAt: now, FinishedAt: now}}
		status.InitContainerStatuses = append(status.InitContainerStatuses, containerStatus(pod, container, state, false))
	}
	for _, container := range pod.Spec.Containers {
		state := corev1.ContainerState{Running: &corev1.ContainerStateRunning{StartedAt: now}}
		status.ContainerStatuses = append(status.ContainerStatuses, containerStatus(pod, container, state, true))
	}
	return status
}

func containerStatus(pod *corev1.Pod, container corev1.Container, state corev1.ContainerState, running bool) corev1.ContainerStatus {
	return corev1.ContainerStatus{
		Name:        container.Name,
		Image:       container.Image,
		ContainerID: fmt.Sprintf("eci://%s/%s", pod.UID, container.Name),
		State:       state,
		Ready:       running,
		Started:     &running,
	}
}

// terminate ends every running container with exit code 0 and the pod in the given phase.
func terminate(status *corev1.PodStatus, phase corev1.PodPhase) {
	now := metav1.Now()
	status.Phase = phase
	for i := range status.ContainerStatuses {
		container := &status.ContainerStatuses[i]
		started := now
		if container.State.Running != nil {
			started = container.State.Running.StartedAt
		}
		container.State = corev1.ContainerState{Terminated: &corev1.ContainerStateTerminated{ExitCode: 0, Reason: "Completed", StartedAt: started, FinishedAt: now}}
		container.Ready = false
		notStarted := false
		container.Started = &notStarted
	}
	for i := range status.Conditions {
		if status.Conditions[i].Type == corev1.PodReady || status.Conditions[i].Type == corev1.ContainersReady {
			status.Conditions[i].Status = corev1.ConditionFalse
			status.Conditions[i].Reason = "PodCompleted"
			status.Conditions[i].LastTransitionTime = now
		}
	}
}
