/**
 * Whether page tests run. Without Chromium they skip on a laptop (with the
 * reason in their name), but under CI a missing browser is a failure: a CI run
 * that silently skipped every page test would look green and prove nothing.
 */
export function decideChromium(input: { path: string; found: boolean; ci: string | undefined }): 'run' | 'skip' {
  if (input.found) return 'run';
  if (isCi(input.ci)) {
    throw new Error(`page tests need Chromium under CI, and there is none at ${input.path} (install Debian's chromium, as .ci/run does, or set CHROMIUM_PATH)`);
  }
  return 'skip';
}

/** CI=true (or any value but "false" / "0", as CI services set it). */
function isCi(value: string | undefined): boolean {
  return value !== undefined && value !== '' && value !== 'false' && value !== '0';
}
