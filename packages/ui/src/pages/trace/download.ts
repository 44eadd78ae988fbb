import type { JaegerTrace } from '@ariadne/protocol';
import type { TraceFileFormat } from '../../trace/trace-file.js';

/** Saves the trace as a file through a temporary link (no server round trip: the page already has it). */
export async function downloadTrace(trace: JaegerTrace, format: TraceFileFormat): Promise<void> {
  // The codecs load on first use: most visits never download.
  const { traceFileName, traceFileText } = await import('../../trace/trace-file.js');
  const blob = new Blob([traceFileText(trace, format)], { type: 'application/json' });
  const url = URL.createObjectURL(blob);
  const link = document.createElement('a');
  link.href = url;
  link.download = traceFileName(trace, format);
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}
