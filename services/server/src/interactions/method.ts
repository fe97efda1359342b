import type { Request, Response, Router } from 'express';
import type { Config } from '../config/env.ts';
import type { ConsoleDeps } from '../console/deps.ts';
import type { InteractionDeps } from './deps.ts';
import type { MessageId } from './i18n/index.ts';
import type { LoadedInteraction } from './interaction.ts';
import type { SignInStep } from './sign-in.ts';
import type { Html } from './views/html.ts';
import type { FieldErrors } from './views/layout.ts';

/** RFC 8176 authentication method references a sign-in can carry. */
export type Amr = 'pwd' | 'otp' | 'sms' | 'hwk' | 'swk' | 'fed' | 'mfa';
export const AMR_VALUES: ReadonlySet<Amr> = new Set(['pwd', 'otp', 'sms', 'hwk', 'swk', 'fed', 'mfa']);

/** What a method's entry on the sign-in page may use. */
export type SignInPageContext = {
  deps: InteractionDeps;
  req: Request;
  res: Response;
  interaction: LoadedInteraction;
  /** `/interaction/<uid>`: every method's routes live under it. */
  base: string;
  /** What the page is showing again after a refused attempt. */
  state: SignInPageState;
};

export type SignInPageState = { email?: string; errors?: FieldErrors; formError?: string; notice?: string; status?: number };

/**
 * A method's part of the sign-in page. 'form' entries go inside the page's
 * one form, after the shared email field (password, "email me a code");
 * 'alternative' entries go below it (passkey, social buttons, phone).
 */
export type SignInEntry = {
  placement: 'form' | 'alternative';
  html: Html;
  scripts?: string[];
  /** A token the shared email field's autocomplete gains (passkeys' conditional UI adds 'webauthn'). */
  autocomplete?: string;
};

/** What a second factor's part of the second-factor page may use. */
export type SecondFactorPageContext = Omit<SignInPageContext, 'state'> & { userId: string };

export type SecondFactor = {
  /** Whether this account has the factor set up (and so must be asked for it). */
  enrolled(deps: InteractionDeps, userId: string): Promise<boolean>;
  /** Its form on the second-factor page, posting to one of the method's routes. */
  entry(ctx: SecondFactorPageContext): { html: Html; scripts?: string[] };
  /**
   * Its form when the policy requires a second factor the account does not
   * have yet: set it up now (the set-up itself proves the factor).
   */
  enrol?(ctx: SecondFactorPageContext): { html: Html; scripts?: string[] };
};

/** A section of the account console at /account/... */
export type ConsoleSection = { path: string; title: MessageId; router(deps: ConsoleDeps): Router };

/**
 * One way to sign in. The sign-in page, the second-factor page, the hosted
 * routes and the account console are assembled from the list in methods.ts,
 * so a new method is its own folder plus one line there. Whatever it
 * verifies goes through the shared pipeline (sign-in.ts): limits, account
 * checks, second factor, events and the session come from there.
 */
export type SignInMethod = {
  id: string;
  /** The amr value a sign-in with it records. */
  amr: Amr;
  /** Off when the operator has not configured it (e.g. no social upstream). */
  enabled(config: Config): boolean;
  /** Its hosted routes, under /interaction/:uid/... (CSRF is checked for every POST there). */
  routes?(deps: InteractionDeps): Router;
  /** Its entry on the sign-in page, if it can start a sign-in. */
  signInEntry?(ctx: SignInPageContext): SignInEntry | undefined;
  /** Present when it can serve as the second factor after another method. */
  secondFactor?: SecondFactor;
  /**
   * Told of every sign-in that passed (second factor included), whatever
   * method it used, before the session is made: social links an upstream
   * identity that was waiting for its account to be proved this way.
   */
  onSignIn?(deps: InteractionDeps, signIn: { req: Request; interaction: LoadedInteraction; userId: string }): Promise<void>;
  /**
   * A page it offers right after sign-up, before the browser goes back to
   * the app ("Add a passkey?"): a step that takes finishLogin's place in
   * the sign-up's pipeline and finishes the login itself once the person
   * has answered. Kept out of sign-in.ts, so other sign-ins never see it.
   */
  afterSignUp?: SignInStep;
  /** Its section of the account console. */
  console?: ConsoleSection;
};
