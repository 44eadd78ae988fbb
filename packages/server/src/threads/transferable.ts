/**
 * Bytes that own their whole ArrayBuffer, so it can be transferred to another
 * thread. Node hands out small Buffers as slices of a shared pool: transferring
 * that pool would take it from every other Buffer in it, so those are copied.
 */
export function transferable<View extends Uint8Array | Uint32Array>(view: View): View {
  if (view.byteOffset === 0 && view.byteLength === view.buffer.byteLength && view.buffer instanceof ArrayBuffer) {
    return view;
  }
  // A copy of the elements (not `slice`, which is a view on a Buffer).
  return (view instanceof Uint32Array ? new Uint32Array(view) : new Uint8Array(view)) as View;
}
