/**
 * NodePorts (pkg/scheduler/framework/plugins/nodeports/node_ports.go). PreFilter collects the pod's host
 * ports (util.GetHostPorts: sidecar init containers, then containers, ports with hostPort > 0) and returns
 * Skip when there are none. Filter: Unschedulable if any wanted port conflicts with one used on the node
 * (framework HostPortInfo.CheckConflict): same protocol and port, and either side's IP 0.0.0.0 or equal IPs.
 */
import type { ContainerPort, PodSpec } from '../../../api/objects.js';

export const NAME = 'NodePorts';
export const REASON = "node(s) didn't have free ports for the requested pod ports";
/** DefaultBindAllHostIP; an empty hostIP is sanitized to it. */
export const BIND_ALL = '0.0.0.0';

export interface HostPort {
  readonly ip: string;
  readonly protocol: ContainerPort['protocol'];
  readonly port: number;
}

const NONE: readonly HostPort[] = [];

export function hostPorts(spec: PodSpec): readonly HostPort[] {
  let out: HostPort[] | null = null;
  const add = (p: ContainerPort): void => {
    if (p.hostPort <= 0) return;
    (out ??= []).push({ ip: p.hostIP === undefined || p.hostIP === '' ? BIND_ALL : p.hostIP, protocol: p.protocol, port: p.hostPort });
  };
  for (const c of spec.initContainers) if (c.restartPolicy === 'Always') for (const p of c.ports) add(p);
  for (const c of spec.containers) for (const p of c.ports) add(p);
  return out ?? NONE;
}
