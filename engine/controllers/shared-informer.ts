/**
 * client-go's SharedInformerFactory as kube-controller-manager uses it: one watch per resource for the whole
 * process, with every controller registering its own handlers on it (one delivery per change instead of one
 * per controller). Pods are also indexed by spec.nodeName (controller.AddPodNodeNameIndexer), which the node
 * lifecycle and taint eviction controllers list per node.
 */
import type { ApiServer } from '../api/api-server.js';
import { Informer, type InformerHandlers, type Store } from '../api/informer.js';
import { keyOf, type Kind, type KubeObject, type Pod } from '../api/objects.js';

export class SharedInformer<T extends KubeObject> {
  private readonly handlers: InformerHandlers<T>[] = [];
  private readonly informer: Informer<T>;

  constructor(api: ApiServer, kind: Kind, name: string) {
    this.informer = new Informer<T>({
      add: (o, key) => {
        for (const h of this.handlers) h.add?.(o, key);
      },
      update: (a, b, key) => {
        for (const h of this.handlers) h.update?.(a, b, key);
      },
      delete: (o, key) => {
        for (const h of this.handlers) h.delete?.(o, key);
      },
    });
    api.watch(kind, name, this.informer.onEvent);
  }

  get cache(): Store<T> {
    return this.informer.cache;
  }

  addHandlers(h: InformerHandlers<T>): void {
    this.handlers.push(h);
  }
}

/** The shared pod informer with its spec.nodeName index. */
export class SharedPodInformer extends SharedInformer<Pod> {
  private readonly byNode = new Map<string, Map<string, Pod>>();

  constructor(api: ApiServer, name: string) {
    super(api, 'Pod', name);
    // Registered first, so every other handler already sees the index updated.
    this.addHandlers({
      add: (p) => this.index(undefined, p),
      update: (o, p) => this.index(o, p),
      delete: (p) => this.unindex(p),
    });
  }

  /** Pods assigned to `node`, in the order they were bound. */
  onNode(node: string): Pod[] {
    const m = this.byNode.get(node);
    return m === undefined ? [] : [...m.values()];
  }

  /** Names of the nodes some pod is assigned to, in first-assignment order. */
  assignedNodes(): string[] {
    return [...this.byNode.keys()];
  }

  private index(old: Pod | undefined, p: Pod): void {
    if (old !== undefined && old.spec.nodeName !== p.spec.nodeName) this.unindex(old);
    if (p.spec.nodeName === '') return;
    let m = this.byNode.get(p.spec.nodeName);
    if (m === undefined) this.byNode.set(p.spec.nodeName, (m = new Map()));
    m.set(keyOf(p), p);
  }

  private unindex(p: Pod): void {
    if (p.spec.nodeName === '') return;
    const m = this.byNode.get(p.spec.nodeName);
    if (m === undefined) return;
    m.delete(keyOf(p));
    if (m.size === 0) this.byNode.delete(p.spec.nodeName);
  }
}
