/**
 * Warnings about fields of Kubernetes manifests that kubesim reads but does not simulate (field-dispositions.ts),
 * gathered over every file a command reads and printed once per field, with a count and the first place it
 * appeared, instead of once per object.
 */
export class FieldNotes {
  private readonly byKey = new Map<string, { message: string; first: string; count: number }>();

  /** `path` is the field's path in its document; list indexes are folded so that 3 containers give one note. */
  add(file: string, line: number, path: string, message: string): void {
    const pattern = path.replace(/\[\d+\]/g, '[]');
    const key = `${pattern}\u0000${message}`;
    const cur = this.byKey.get(key);
    if (cur !== undefined) cur.count++;
    else this.byKey.set(key, { message: `${pattern}: ${message}`, first: `${file}:${line}`, count: 1 });
  }

  /** One line per field, in order of first appearance. */
  lines(): string[] {
    return [...this.byKey.values()].map(
      (n) => `field not modeled: ${n.message} (${n.count === 1 ? 'at' : `${n.count} times, first at`} ${n.first})`,
    );
  }
}
