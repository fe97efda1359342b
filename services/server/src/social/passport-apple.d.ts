// @nicokaiser/passport-apple ships no types; this is the part Latchkey uses.
declare module '@nicokaiser/passport-apple' {
  import type { Request } from 'express';

  type AppleStrategyOptions = {
    clientID: string;
    teamID: string;
    keyID: string;
    key: string;
    scope?: string[];
    callbackURL?: string;
    authorizationURL?: string;
    tokenURL?: string;
    passReqToCallback?: false;
  };

  class AppleStrategy {
    constructor(options: AppleStrategyOptions, verify: (...args: any[]) => void);
    name: string;
    authenticate(req: Request, options?: Record<string, unknown>): void;
  }
  export default AppleStrategy;
}
