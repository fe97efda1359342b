import type { Request, Response } from 'express';
import type { InteractionResults } from 'oidc-provider';
import { metadataDocumentHost } from '../oidc/client-id-metadata.ts';
import type { InteractionDeps } from './deps.ts';

export type LoadedInteraction = {
  uid: string;
  prompt: { name: string; reasons: string[]; details: Record<string, unknown> };
  params: Record<string, unknown>;
  /** The browser's current session: who, and how they signed in (amr). */
  session?: { accountId?: string; amr?: string[] };
  lastSubmission?: InteractionResults;
  /** The grant the client already holds for this user, when there is one. */
  grantId?: string;
  /** Set when the interaction approves a device (RFC 8628). */
  deviceCode?: string;
  /** `documentHost`: where a client ID metadata document client comes from (its client_id URL's host). */
  client: { clientId: string; name: string; firstParty: boolean; documentHost?: string };
};

/**
 * The pending authorization request behind /interaction/:uid, or undefined
 * when the browser has no such interaction (expired, or another browser's).
 */
export async function loadInteraction(deps: InteractionDeps, req: Request, res: Response): Promise<LoadedInteraction | undefined> {
  const provider = deps.providers.current;
  let details;
  try {
    details = await provider.interactionDetails(req, res);
  } catch {
    return undefined;
  }
  if (req.params.uid && details.uid !== req.params.uid) return undefined;
  const clientId = String(details.params.client_id ?? '');
  const client = await provider.Client.find(clientId);
  return {
    uid: details.uid,
    prompt: details.prompt as LoadedInteraction['prompt'],
    params: details.params as Record<string, unknown>,
    session: details.session ? { accountId: details.session.accountId, amr: (details.session as { amr?: string[] }).amr } : undefined,
    lastSubmission: details.lastSubmission,
    grantId: details.grantId,
    deviceCode: (details as { deviceCode?: string }).deviceCode,
    client: {
      clientId,
      name: client?.clientName ?? clientId,
      firstParty: (client as unknown as { first_party?: boolean } | undefined)?.first_party === true,
      documentHost: client ? metadataDocumentHost(clientId) : undefined,
    },
  };
}

/** Ends the interaction and sends the browser back to the authorization endpoint. */
export async function finishInteraction(deps: InteractionDeps, req: Request, res: Response, result: InteractionResults): Promise<void> {
  await deps.providers.current.interactionFinished(req, res, result, { mergeWithLastSubmission: true });
}
