// A user Score plugin for kubesim's --plugin-module (docs/guides/write-a-plugin.md): the share of the node's
// cpu still free after the pod, 0–100 (already in range, so no normalize).
export const plugins = [
  {
    name: 'FreeCpuPercent',
    score(pod, node) {
      const alloc = node.allocatable('cpu');
      return alloc === 0 ? 0 : ((alloc - node.requested('cpu') - pod.request('cpu')) * 100) / alloc;
    },
  },
];
