// The doctor's own files, as the rootfs builder recorded them: one
// "<sha256>  <guest path>" line each (sha256sum's format), written onto the
// squashfs at build time. The doctor reads it from the read-only lower layer
// itself (a copy-up could change what the overlay shows) and hashes each file
// it runs from. One module writes and reads the format.

/** Where the manifest lives in the image (read through the lower layer's mount point). */
export const DOCTOR_MANIFEST = '/usr/lib/capsem/doctor-files.sha256';

export function renderManifest(entries: ReadonlyMap<string, string>): string {
  return [...entries].sort(([a], [b]) => a.localeCompare(b)).map(([path, hash]) => `${hash}  ${path}\n`).join('');
}

/** path -> sha256; throws with the line number on anything else. */
export function parseManifest(text: string): Map<string, string> {
  const out = new Map<string, string>();
  text.split('\n').forEach((line, i) => {
    if (line === '') return;
    const m = /^([0-9a-f]{64}) {2}(\/\S*)$/.exec(line);
    if (!m || out.has(m[2]!)) throw new Error(`${DOCTOR_MANIFEST}:${i + 1}: not "<sha256>  <absolute path>" (or a repeated path): ${JSON.stringify(line.slice(0, 120))}`);
    out.set(m[2]!, m[1]!);
  });
  return out;
}
