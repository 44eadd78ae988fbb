import type { SpanKind } from '@ariadne/protocol';
import type { Operation } from '../span-store.js';

interface PooledOperation {
  readonly service: string;
  readonly name: string;
  readonly kind: SpanKind;
  readonly key: string;
  blocks: number;
}

/**
 * The operations (service, span name, kind) of the open blocks, each kept
 * once however many blocks list it, and counted by how many do: a block then
 * holds its operations as a few numbers, not as its metadata's strings, and
 * `getOperations` still answers from memory without reading a block. An
 * operation no open block lists any more is forgotten (retention deletes
 * blocks, and span names may be many over time).
 */
export class OperationPool {
  readonly #ids = new Map<string, number>();
  readonly #entries: (PooledOperation | undefined)[] = [];
  readonly #free: number[] = [];

  /** Ids of the operations, each counted once more; `release` them when the block closes. */
  add(operations: readonly (readonly [service: string, name: string, kind: number])[]): Uint32Array {
    const ids = new Uint32Array(operations.length);
    operations.forEach(([service, name, kind], i) => {
      const key = `${service}\u0000${kind}\u0000${name}`;
      let id = this.#ids.get(key);
      if (id === undefined) {
        id = this.#free.pop() ?? this.#entries.length;
        this.#entries[id] = { service, name, kind: kind as SpanKind, key, blocks: 0 };
        this.#ids.set(key, id);
      }
      this.#entries[id]!.blocks++;
      ids[i] = id;
    });
    return ids;
  }

  release(ids: Uint32Array): void {
    for (const id of ids) {
      const entry = this.#entries[id];
      if (entry === undefined) continue;
      if (--entry.blocks > 0) continue;
      this.#ids.delete(entry.key);
      this.#entries[id] = undefined;
      this.#free.push(id);
    }
  }

  nameOf(id: number): string | undefined {
    return this.#entries[id]?.name;
  }

  /** The operation of an id, when its service is this one. */
  operationOf(id: number, service: string): Operation | undefined {
    const entry = this.#entries[id];
    return entry === undefined || entry.service !== service ? undefined : { name: entry.name, spanKind: entry.kind };
  }

  /** Operations held (for tests). */
  get size(): number {
    return this.#ids.size;
  }
}
