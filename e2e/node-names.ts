// The e2e cluster's two nodes, named as ACK names them: a virtual node `virtual-kubelet-<zone>`
// and an ECS node `<region>.<its IP>`. Their InternalIPs are loopback addresses nothing listens on.
export const region = 'cn-hangzhou';
export const zone = 'cn-hangzhou-k';
export const virtualNodeName = `virtual-kubelet-${zone}`;
export const virtualNodeIp = '127.0.0.3';
export const ordinaryNodeIp = '127.0.0.2';
export const ordinaryNodeName = `${region}.${ordinaryNodeIp}`;
