/**
 * Group commit for inserts. Every INSERT makes a new part per day partition
 * in the spans table and in each table a materialized view feeds, and MergeTree
 * refuses inserts once a partition has too many unmerged parts. So while
 * `concurrency` inserts are in flight, later writes wait and then go out
 * together as one INSERT: no delay when idle, few large inserts under load.
 * Each writer's promise settles with the insert that carried its rows.
 */
export class GroupInsert {
  readonly #send: (body: Uint8Array) => Promise<void>;
  readonly #concurrency: number;
  readonly #maxBodyBytes: number;
  #inFlight = 0;
  #queue: { body: Uint8Array; resolve: () => void; reject: (error: unknown) => void }[] = [];

  constructor(
    send: (body: Uint8Array) => Promise<void>,
    options: { concurrency?: number; maxBodyBytes?: number } = {},
  ) {
    this.#send = send;
    this.#concurrency = options.concurrency ?? 1;
    this.#maxBodyBytes = options.maxBodyBytes ?? 64 * 1024 * 1024;
  }

  /** Resolves once ClickHouse acknowledged the insert that carried `body` (whole RowBinary rows). */
  write(body: Uint8Array): Promise<void> {
    if (body.length === 0) return Promise.resolve();
    return new Promise((resolve, reject) => {
      this.#queue.push({ body, resolve, reject });
      this.#pump();
    });
  }

  #pump(): void {
    while (this.#inFlight < this.#concurrency && this.#queue.length > 0) {
      // Take writes until the body is large enough; one oversized write goes alone.
      let size = 0;
      let count = 0;
      while (
        count < this.#queue.length &&
        (count === 0 || size + this.#queue[count]!.body.length <= this.#maxBodyBytes)
      ) {
        size += this.#queue[count]!.body.length;
        count++;
      }
      const group = this.#queue.splice(0, count);
      this.#inFlight++;
      const body =
        group.length === 1
          ? group[0]!.body
          : Buffer.concat(
              group.map((write) => write.body),
              size,
            );
      this.#send(body)
        .then(
          () => {
            for (const write of group) write.resolve();
          },
          (error: unknown) => {
            for (const write of group) write.reject(error);
          },
        )
        .finally(() => {
          this.#inFlight--;
          this.#pump();
        });
    }
  }
}
