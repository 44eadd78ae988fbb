/**
 * Bytes that own their whole ArrayBuffer, so it can be transferred to another
 * thread. Node hands out small Buffers as slices of a shared pool: transferring
 * that pool would take it from every other Buffer in it, so those are copied.
 */
export function transferable(bytes: Uint8Array): Uint8Array {
  if (bytes.byteOffset === 0 && bytes.byteLength === bytes.buffer.byteLength && bytes.buffer instanceof ArrayBuffer) {
    return bytes;
  }
  return new Uint8Array(bytes);
}
