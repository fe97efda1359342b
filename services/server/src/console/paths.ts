import type { ConsoleSection } from '../interactions/method.ts';
import { appsSection } from './sections/apps.ts';
import { emailSection } from './sections/email.ts';
import { profileSection } from './sections/profile.ts';
import { sessionsSection } from './sections/sessions.ts';
import { tokensSection } from './sections/tokens.ts';

/**
 * The console's pages, in navigation order: profile and email, then each
 * enabled sign-in method's section (methods.ts), then sessions, apps and tokens.
 */
export function consoleSections(methods: readonly { console?: ConsoleSection }[]): readonly ConsoleSection[] {
  return [
    { path: '/account', title: 'console.profile.title', router: profileSection },
    { path: '/account/email', title: 'console.email.title', router: emailSection },
    ...methods.flatMap((method) => method.console ?? []),
    { path: '/account/sessions', title: 'console.sessions.title', router: sessionsSection },
    { path: '/account/apps', title: 'console.apps.title', router: appsSection },
    { path: '/account/tokens', title: 'console.tokens.title', router: tokensSection },
  ];
}

/** Where a sign-in may return to: one of the console's own pages, nothing else (no open redirect). */
export function isConsolePath(sections: readonly ConsoleSection[], value: string): boolean {
  return sections.some((section) => section.path === value);
}
