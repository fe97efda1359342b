/** The console's pages, in navigation order: path → i18n title id. */
export const CONSOLE_SECTIONS = [
  { path: '/account', title: 'console.profile.title' },
  { path: '/account/email', title: 'console.email.title' },
  { path: '/account/password', title: 'console.password.title' },
  { path: '/account/sessions', title: 'console.sessions.title' },
  { path: '/account/apps', title: 'console.apps.title' },
  { path: '/account/tokens', title: 'console.tokens.title' },
] as const;

export type ConsoleSectionPath = (typeof CONSOLE_SECTIONS)[number]['path'];

/** Where a sign-in may return to: one of the console's own pages, nothing else (no open redirect). */
export function isConsolePath(value: string): value is ConsoleSectionPath {
  return CONSOLE_SECTIONS.some((section) => section.path === value);
}
