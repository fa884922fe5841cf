// Command virtual-node registers one node of the e2e cluster and runs its pods, without executing
// any image: `--kind virtual` is a virtual node that behaves like ACK's ECI virtual node as far as
// the scheduler and a user can see (its name, label, taint and capacity; ProviderFailed for what
// ECI refuses), `--kind ordinary` an ECS-like node that runs whatever it is given. Both are
// virtual-kubelet (github.com/virtual-kubelet/virtual-kubelet) with the provider in provider.go.
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/virtual-kubelet/virtual-kubelet/node"
	"github.com/virtual-kubelet/virtual-kubelet/node/nodeutil"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/tools/clientcmd"
)

type options struct {
	kind           string
	name           string
	kubeconfig     string
	internalIP     string
	kubeletVersion string
	region         string
	zone           string
	completeAfter  time.Duration
}

func main() {
	var opts options
	flag.StringVar(&opts.kind, "kind", "virtual", "virtual (ECI-like) or ordinary (ECS-like)")
	flag.StringVar(&opts.name, "name", "", "the node's name (default: virtual-kubelet-<zone> for a virtual node, <region>.<internal-ip> for an ordinary one)")
	flag.StringVar(&opts.kubeconfig, "kubeconfig", os.Getenv("KUBECONFIG"), "the node's credentials")
	flag.StringVar(&opts.internalIP, "internal-ip", "127.0.0.1", "the node's InternalIP address")
	flag.StringVar(&opts.kubeletVersion, "kubelet-version", "v0.0.0", "what the node reports as its kubelet version")
	flag.StringVar(&opts.region, "region", "cn-hangzhou", "the region label")
	flag.StringVar(&opts.zone, "zone", "cn-hangzhou-k", "the zone label")
	flag.DurationVar(&opts.completeAfter, "complete-after", 2*time.Second, "how long a pod whose restartPolicy is not Always runs before it succeeds")
	flag.Parse()
	if err := run(opts); err != nil {
		fmt.Fprintf(os.Stderr, "virtual-node: %v\n", err)
		os.Exit(1)
	}
}

func run(opts options) error {
	spec, refuse, err := nodeSpec(opts)
	if err != nil {
		return err
	}
	config, err := clientcmd.BuildConfigFromFlags("", opts.kubeconfig)
	if err != nil {
		return fmt.Errorf("reading the kubeconfig %q: %w", opts.kubeconfig, err)
	}
	// A kubelet's defaults (kubeAPIQPS 50, kubeAPIBurst 100), not client-go's 5 and 10.
	config.QPS, config.Burst = 50, 100
	client, err := kubernetes.NewForConfig(config)
	if err != nil {
		return err
	}
	newProvider := func(cfg nodeutil.ProviderConfig) (nodeutil.Provider, node.NodeProvider, error) {
		return newPodProvider(client.CoreV1(), spec.Name, opts.internalIP, refuse, opts.completeAfter), nil, nil
	}
	withSpec := func(cfg *nodeutil.NodeConfig) error {
		cfg.NodeSpec = spec
		// No kubelet API: nothing here executes, so there are no logs or exec to serve.
		cfg.HTTPListenAddr = "127.0.0.1:0"
		return nil
	}
	vk, err := nodeutil.NewNode(spec.Name, newProvider, nodeutil.WithClient(client), withSpec)
	if err != nil {
		return err
	}
	ctx, cancel := signal.NotifyContext(context.Background(), syscall.SIGTERM, os.Interrupt)
	defer cancel()
	go func() {
		if err := vk.WaitReady(ctx, time.Minute); err == nil {
			fmt.Printf("node %s ready\n", spec.Name)
		}
	}()
	if err := vk.Run(ctx); err != nil && ctx.Err() == nil {
		return err
	}
	return nil
}

// nodeSpec is the Node object each kind registers, and what its provider refuses (nil: nothing).
func nodeSpec(opts options) (corev1.Node, refusal, error) {
	switch opts.kind {
	case "virtual":
		name := opts.name
		if name == "" {
			name = "virtual-kubelet-" + opts.zone
		}
		return virtualNode(name, opts), eciRefusal, nil
	case "ordinary":
		name := opts.name
		if name == "" {
			name = opts.region + "." + opts.internalIP
		}
		return ordinaryNode(name, opts), nil, nil
	}
	return corev1.Node{}, nil, fmt.Errorf("--kind must be virtual or ordinary, not %q", opts.kind)
}
