/**
 * client-go's workqueue with `workers` concurrent syncs (kube-controller-manager runs each controller with
 * --concurrent-*-syncs workers, 5 by default for ReplicaSet, Deployment and Endpoints): a key is queued at
 * most once; a key added while it is being processed is processed again after the current sync ends; keys
 * are served FIFO.
 */
export type SyncFn = (key: string, done: () => void) => void;

export class WorkQueue {
  private readonly queue: string[] = [];
  private head = 0;
  private readonly queued = new Set<string>();
  private readonly processing = new Set<string>();
  private readonly dirty = new Set<string>();
  private active = 0;
  private pumping = false;

  constructor(
    private readonly workers: number,
    private readonly sync: SyncFn,
  ) {}

  add(key: string): void {
    if (this.processing.has(key)) {
      this.dirty.add(key);
      return;
    }
    if (this.queued.has(key)) return;
    this.queued.add(key);
    this.queue.push(key);
    this.pump();
  }

  private pump(): void {
    // A sync that finishes synchronously calls pump() again; the running loop picks up the next key instead
    // of recursing once per key.
    if (this.pumping) return;
    this.pumping = true;
    while (this.active < this.workers && this.head < this.queue.length) {
      const key = this.queue[this.head++];
      if (this.head > 1024 && this.head * 2 > this.queue.length) {
        this.queue.splice(0, this.head);
        this.head = 0;
      }
      this.queued.delete(key);
      this.processing.add(key);
      this.active++;
      let finished = false;
      this.sync(key, () => {
        if (finished) throw new Error(`sync of ${key} finished twice`);
        finished = true;
        this.active--;
        this.processing.delete(key);
        if (this.dirty.delete(key)) this.add(key);
        this.pump();
      });
    }
    this.pumping = false;
  }
}
