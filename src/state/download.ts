/** Hands bytes to the browser as a download (a same-origin blob: URL; nothing leaves the machine). */
export function downloadBytes(bytes: Uint8Array | string, fileName: string, type: string): void {
  const part = typeof bytes === 'string' ? bytes : (bytes as Uint8Array<ArrayBuffer>);
  const url = URL.createObjectURL(new Blob([part], { type }));
  const a = document.createElement('a');
  a.href = url;
  a.download = fileName;
  a.click();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

/** A file-name-safe version of a dataset or class name. */
export function safeName(s: string): string {
  return s.replace(/[^\w.-]+/g, '_').replace(/^_+|_+$/g, '') || 'file';
}
