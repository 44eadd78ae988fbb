/**
 * Runs `run` once the browser has painted the next frame (a task after it),
 * and returns what cancels it. For drawing that can trail what it decorates
 * by a frame: the first rows of a million-span trace, or a fold, are painted
 * without waiting for it, and a long frame is split in two.
 */
export function afterNextPaint(run: () => void): () => void {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const frame = requestAnimationFrame(() => {
    timer = setTimeout(run, 0);
  });
  return () => {
    cancelAnimationFrame(frame);
    if (timer !== undefined) clearTimeout(timer);
  };
}
