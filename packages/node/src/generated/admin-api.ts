/**
 * Generated from openapi/latchkey.json by `pnpm --filter @latchkey/node generate`. Do not edit.
 */

export interface paths {
    "/api/v1/admin/scopes": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** List scopes */
        get: operations["adminScopesList"];
        put?: never;
        /** Create a scope */
        post: operations["adminScopesCreate"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/admin/scopes/{name}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Get a scope */
        get: operations["adminScopesGet"];
        put?: never;
        post?: never;
        /** Delete a scope */
        delete: operations["adminScopesDelete"];
        options?: never;
        head?: never;
        /** Change a scope's description */
        patch: operations["adminScopesUpdate"];
        trace?: never;
    };
    "/api/v1/admin/clients": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** List clients */
        get: operations["adminClientsList"];
        put?: never;
        /** Register a client (a confidential client's secret is shown once) */
        post: operations["adminClientsCreate"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/admin/clients/{client_id}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Get a client */
        get: operations["adminClientsGet"];
        put?: never;
        post?: never;
        /** Delete a client, revoking every token, code and grant it holds */
        delete: operations["adminClientsDelete"];
        options?: never;
        head?: never;
        /** Change a client */
        patch: operations["adminClientsUpdate"];
        trace?: never;
    };
    "/api/v1/admin/clients/{client_id}/secret": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Replace a confidential client's secret (shown once; the old one stops working at once) */
        post: operations["adminClientsRotateSecret"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/admin/resources": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** List API resources */
        get: operations["adminResourcesList"];
        put?: never;
        /** Register an API that receives JWT access tokens (its introspection credentials are shown once) */
        post: operations["adminResourcesCreate"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/admin/resources/{id}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Get an API resource */
        get: operations["adminResourcesGet"];
        put?: never;
        post?: never;
        /** Delete an API resource (no new tokens for it; issued ones expire on their own) */
        delete: operations["adminResourcesDelete"];
        options?: never;
        head?: never;
        /** Change an API resource (its identifier is fixed) */
        patch: operations["adminResourcesUpdate"];
        trace?: never;
    };
    "/api/v1/admin/keys": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** List signing keys with their status and dates */
        get: operations["adminKeysList"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/admin/keys/rotate": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Add the next key of every algorithm (published now, signing after a propagation delay, or at once with `now`) */
        post: operations["adminKeysRotate"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/admin/keys/{kid}/revoke": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Remove a compromised key from every replica's JWKS at once; tokens it signed stop verifying */
        post: operations["adminKeysRevoke"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/admin/webhooks": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** List webhooks */
        get: operations["adminWebhooksList"];
        put?: never;
        /** Register a webhook endpoint; its signing secret is shown once */
        post: operations["adminWebhooksCreate"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/admin/webhooks/{id}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Get a webhook (never its secret) */
        get: operations["adminWebhooksGet"];
        put?: never;
        post?: never;
        /** Delete a webhook and its delivery history (If-Match optional: when sent, it must match) */
        delete: operations["adminWebhooksDelete"];
        options?: never;
        head?: never;
        /** Change a webhook's URL, description, event types or enabled flag */
        patch: operations["adminWebhooksUpdate"];
        trace?: never;
    };
    "/api/v1/admin/webhooks/{id}/rotate-secret": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Replace the signing secret (shown once); the previous one keeps signing for 24 hours */
        post: operations["adminWebhooksRotateSecret"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/admin/webhooks/{id}/deliveries": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** List a webhook's deliveries, newest first */
        get: operations["adminWebhooksListDeliveries"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/admin/webhooks/{id}/deliveries/{deliveryId}/replay": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Send a delivered or failed delivery again (same webhook-id) */
        post: operations["adminWebhooksReplayDelivery"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/admin/webhooks/{id}/events/{eventId}/replay": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Send a stored event to this webhook (again), subscribed or not */
        post: operations["adminWebhooksReplayEvent"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/admin/api-tokens": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** List personal API tokens of all users */
        get: operations["adminApiTokensList"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/admin/api-tokens/{id}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Get a personal API token (never the token itself) */
        get: operations["adminApiTokensGet"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/admin/api-tokens/{id}/revoke": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Revoke a personal API token for good: it stops working at once */
        post: operations["adminApiTokensRevoke"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/admin/api-tokens/{id}/block": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Block a personal API token: it stops working until unblocked */
        post: operations["adminApiTokensBlock"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/admin/api-tokens/{id}/unblock": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Unblock a personal API token (a revoked or expired one stays unusable) */
        post: operations["adminApiTokensUnblock"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/admin/users": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Search users */
        get: operations["adminUsersList"];
        put?: never;
        /** Create a user whose email counts as verified (an admin vouches for it) */
        post: operations["adminUsersCreate"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/admin/users/{id}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Get a user */
        get: operations["adminUsersGet"];
        put?: never;
        post?: never;
        /** Delete a user (final; the row stays, status deleted, for the audit trail): sessions and grants are revoked */
        delete: operations["adminUsersDelete"];
        options?: never;
        head?: never;
        /** Change a user's profile, role or status (blocking revokes sessions and grants) */
        patch: operations["adminUsersUpdate"];
        trace?: never;
    };
    "/api/v1/admin/users/{id}/block": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Block a user: sessions and grants are revoked on every server */
        post: operations["adminUsersBlock"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/admin/users/{id}/unblock": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Let a blocked user sign in again */
        post: operations["adminUsersUnblock"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/admin/users/{id}/lock": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Lock a user until a time: sessions and grants are revoked now */
        post: operations["adminUsersLock"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/admin/users/{id}/unlock": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Lift a lock before its time */
        post: operations["adminUsersUnlock"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/admin/users/{id}/sign-out": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Sign a user out everywhere: every browser session is revoked */
        post: operations["adminUsersSignOut"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/admin/users/{id}/revoke-grants": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Revoke what a user allowed apps to do (all apps, or one) with their tokens and codes */
        post: operations["adminUsersRevokeGrants"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/admin/sessions": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** List signed-in browser sessions (of one user, or everyone's) */
        get: operations["adminSessionsList"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/admin/sessions/{id}/revoke": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Revoke a session: it stops working on every server at once */
        post: operations["adminSessionsRevoke"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/admin/grants": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** List what users allowed apps to do (by user, by client) */
        get: operations["adminGrantsList"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/admin/grants/{id}/revoke": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Revoke a grant with the tokens and codes it issued, on every server at once */
        post: operations["adminGrantsRevoke"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/admin/invitations": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** List invitations */
        get: operations["adminInvitationsList"];
        put?: never;
        /** Create an invitation; its code is in this answer only (stored as a hash) */
        post: operations["adminInvitationsCreate"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/admin/invitations/{id}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Get an invitation */
        get: operations["adminInvitationsGet"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/admin/invitations/{id}/revoke": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Revoke an unredeemed invitation: its code stops working at once */
        post: operations["adminInvitationsRevoke"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/admin/audit-events": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** List audit events, newest first */
        get: operations["adminAuditEventsList"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/me/api-tokens": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** List your personal API tokens */
        get: operations["meApiTokensList"];
        put?: never;
        /** Create a personal API token; the token is in this answer only (stored as a hash) */
        post: operations["meApiTokensCreate"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/me/api-tokens/{id}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        post?: never;
        /** Revoke one of your personal API tokens: it stops working at once */
        delete: operations["meApiTokensRevoke"];
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/me": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Get your profile */
        get: operations["meProfileGet"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        /** Change your profile (names and username only) */
        patch: operations["meProfileUpdate"];
        trace?: never;
    };
    "/api/v1/me/email": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Start changing your email address: a code is mailed to the new address, nothing changes yet */
        post: operations["meEmailStart"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/me/email/confirm": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Confirm the new email address with the mailed code; it becomes your verified address */
        post: operations["meEmailConfirm"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/me/identities": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** List the accounts at other services (GitHub, Google …) you can sign in with */
        get: operations["meIdentitiesList"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/me/identities/{id}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        post?: never;
        /** Unlink one; refused (409) when it is the only way left to sign in */
        delete: operations["meIdentitiesUnlink"];
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/me/passkeys": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** List your passkeys, oldest first (adding one needs the WebAuthn ceremony: use the account console) */
        get: operations["mePasskeysList"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/me/passkeys/{id}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        post?: never;
        /** Remove one of your passkeys. A passkey is a second factor, and removing one needs a recent two-step sign-in, which an API token cannot show: this answers 403 forbidden for a passkey you hold (remove it in the account console), 404 for one you do not */
        delete: operations["mePasskeysRemove"];
        options?: never;
        head?: never;
        /** Rename one of your passkeys */
        patch: operations["mePasskeysRename"];
        trace?: never;
    };
    "/api/v1/me/password": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Change (or set a first) password; every session but keep_session_id is signed out */
        post: operations["mePasswordChange"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/me/phone": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Your phone number and whether it is verified */
        get: operations["mePhoneGet"];
        put?: never;
        /** Add or change your phone number: a code is texted to it, nothing changes yet */
        post: operations["mePhoneStart"];
        /** Remove your phone number (409 while it is your only way to sign in) */
        delete: operations["mePhoneRemove"];
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/me/phone/verify": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Confirm the number with the texted code; it becomes your verified number (409 when another account has it) */
        post: operations["mePhoneVerify"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/me/sessions": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** List your signed-in browser sessions, most recently active first */
        get: operations["meSessionsList"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/me/sessions/{id}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        post?: never;
        /** Sign out one of your sessions */
        delete: operations["meSessionsRevoke"];
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/me/sessions/revoke-others": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Sign out every session but the one named */
        post: operations["meSessionsRevokeOthers"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/me/two-step": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Your two-step verification: whether the authenticator app is on, and how many recovery codes are left */
        get: operations["meTwoStepGet"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/me/two-step/totp/disable": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Turn the authenticator app off (its recovery codes go too); proven with a current code from the app or a recovery code */
        post: operations["meTwoStepTurnOffTotp"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/me/apps": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** List the apps you have given access to your account */
        get: operations["meAppsList"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/me/apps/{client_id}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        post?: never;
        /** Disconnect an app: its access, refresh tokens and codes stop working */
        delete: operations["meAppsRevoke"];
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
}
export type webhooks = Record<string, never>;
export interface components {
    schemas: {
        /** @description Problem */
        Problem: {
            /** @description URI naming the problem: urn:latchkey:problem:<code> */
            type: string;
            title: string;
            status: number;
            detail?: string;
            instance?: string;
            /** @enum {string} */
            code: "validation_failed" | "invalid_cursor" | "unauthorized" | "insufficient_scope" | "forbidden" | "not_found" | "conflict" | "precondition_failed" | "payload_too_large" | "unsupported_media_type" | "precondition_required" | "rate_limited" | "unavailable" | "internal_error";
            /** @description One entry per invalid field (validation_failed) */
            errors?: {
                path: string;
                message: string;
            }[];
        };
    };
    responses: {
        /** @description `validation_failed`: Validation failed; `invalid_cursor`: Invalid cursor */
        Problem400: {
            headers: {
                [name: string]: unknown;
            };
            content: {
                "application/problem+json": components["schemas"]["Problem"];
            };
        };
        /** @description `unauthorized`: Unauthorized */
        Problem401: {
            headers: {
                [name: string]: unknown;
            };
            content: {
                "application/problem+json": components["schemas"]["Problem"];
            };
        };
        /** @description `insufficient_scope`: Insufficient scope; `forbidden`: Forbidden */
        Problem403: {
            headers: {
                [name: string]: unknown;
            };
            content: {
                "application/problem+json": components["schemas"]["Problem"];
            };
        };
        /** @description `not_found`: Not found */
        Problem404: {
            headers: {
                [name: string]: unknown;
            };
            content: {
                "application/problem+json": components["schemas"]["Problem"];
            };
        };
        /** @description `conflict`: Conflict */
        Problem409: {
            headers: {
                [name: string]: unknown;
            };
            content: {
                "application/problem+json": components["schemas"]["Problem"];
            };
        };
        /** @description `precondition_failed`: Precondition failed */
        Problem412: {
            headers: {
                [name: string]: unknown;
            };
            content: {
                "application/problem+json": components["schemas"]["Problem"];
            };
        };
        /** @description `precondition_required`: Precondition required */
        Problem428: {
            headers: {
                [name: string]: unknown;
            };
            content: {
                "application/problem+json": components["schemas"]["Problem"];
            };
        };
        /** @description `rate_limited`: Too many requests */
        Problem429: {
            headers: {
                [name: string]: unknown;
            };
            content: {
                "application/problem+json": components["schemas"]["Problem"];
            };
        };
        /** @description `unavailable`: Service unavailable */
        Problem503: {
            headers: {
                [name: string]: unknown;
            };
            content: {
                "application/problem+json": components["schemas"]["Problem"];
            };
        };
    };
    parameters: never;
    requestBodies: never;
    headers: {
        /** @description Version of the resource; send it back in If-Match to update */
        ETag: string;
    };
    pathItems: never;
}
export type $defs = Record<string, never>;
export interface operations {
    adminScopesList: {
        parameters: {
            query?: {
                /** @description Items per page (1–100) */
                limit?: number;
                /** @description next_cursor of the previous page; only valid with the same filters and sort */
                cursor?: unknown | string;
                sort?: "name" | "-name" | "created_at" | "-created_at";
                /** @description Only scopes whose name starts with this */
                prefix?: unknown | string;
            };
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description OK */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        items: {
                            name: string;
                            description: string;
                            /** @description Belongs to this server's own API; cannot be deleted */
                            built_in: boolean;
                            /** Format: date-time */
                            created_at: string;
                            /** Format: date-time */
                            updated_at: string;
                        }[];
                        next_cursor: string | null;
                    };
                };
            };
            400: components["responses"]["Problem400"];
            401: components["responses"]["Problem401"];
            403: components["responses"]["Problem403"];
        };
    };
    adminScopesCreate: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": {
                    name: string;
                    description: string;
                };
            };
        };
        responses: {
            /** @description Created */
            201: {
                headers: {
                    ETag: components["headers"]["ETag"];
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        name: string;
                        description: string;
                        /** @description Belongs to this server's own API; cannot be deleted */
                        built_in: boolean;
                        /** Format: date-time */
                        created_at: string;
                        /** Format: date-time */
                        updated_at: string;
                    };
                };
            };
            400: components["responses"]["Problem400"];
            401: components["responses"]["Problem401"];
            403: components["responses"]["Problem403"];
            409: components["responses"]["Problem409"];
        };
    };
    adminScopesGet: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                name: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description OK */
            200: {
                headers: {
                    ETag: components["headers"]["ETag"];
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        name: string;
                        description: string;
                        /** @description Belongs to this server's own API; cannot be deleted */
                        built_in: boolean;
                        /** Format: date-time */
                        created_at: string;
                        /** Format: date-time */
                        updated_at: string;
                    };
                };
            };
            400: components["responses"]["Problem400"];
            401: components["responses"]["Problem401"];
            403: components["responses"]["Problem403"];
            404: components["responses"]["Problem404"];
        };
    };
    adminScopesDelete: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                name: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description No content */
            204: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
            400: components["responses"]["Problem400"];
            401: components["responses"]["Problem401"];
            403: components["responses"]["Problem403"];
            404: components["responses"]["Problem404"];
            409: components["responses"]["Problem409"];
        };
    };
    adminScopesUpdate: {
        parameters: {
            query?: never;
            header?: {
                /** @description The ETag from GET of this resource */
                "if-match"?: unknown | string;
            };
            path: {
                name: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": {
                    description: string;
                };
            };
        };
        responses: {
            /** @description OK */
            200: {
                headers: {
                    ETag: components["headers"]["ETag"];
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        name: string;
                        description: string;
                        /** @description Belongs to this server's own API; cannot be deleted */
                        built_in: boolean;
                        /** Format: date-time */
                        created_at: string;
                        /** Format: date-time */
                        updated_at: string;
                    };
                };
            };
            400: components["responses"]["Problem400"];
            401: components["responses"]["Problem401"];
            403: components["responses"]["Problem403"];
            404: components["responses"]["Problem404"];
            412: components["responses"]["Problem412"];
            428: components["responses"]["Problem428"];
        };
    };
    adminClientsList: {
        parameters: {
            query?: {
                /** @description Items per page (1–100) */
                limit?: number;
                /** @description next_cursor of the previous page; only valid with the same filters and sort */
                cursor?: unknown | string;
                sort?: "created_at" | "-created_at" | "name" | "-name";
                type?: unknown | ("confidential" | "public");
                /** @description Only clients allowed this grant type */
                grant_type?: unknown | ("authorization_code" | "refresh_token" | "client_credentials" | "urn:ietf:params:oauth:grant-type:device_code");
                first_party?: unknown | ("true" | "false");
                /** @description Only clients whose name starts with this */
                name_prefix?: unknown | string;
            };
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description OK */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        items: {
                            client_id: string;
                            name: string;
                            /**
                             * @description confidential clients have a secret; public ones (SPAs, native apps) do not
                             * @enum {string}
                             */
                            type: "confidential" | "public";
                            redirect_uris: string[];
                            post_logout_redirect_uris: string[];
                            grant_types: string[];
                            scope: string;
                            first_party: boolean;
                            /** @description The account console's own client (`latchkey-account`): it cannot be changed, deleted or given a new secret (403) */
                            built_in: boolean;
                            /** @description Set on an API resource's introspection client: only its name and secret can change, and it goes with its API (403 otherwise) */
                            introspects_resource_id: string | null;
                            /** @description Where back-channel logout tokens are posted; null when none */
                            backchannel_logout_uri: string | null;
                            backchannel_logout_session_required: boolean;
                            /** Format: date-time */
                            created_at: string;
                            /** Format: date-time */
                            updated_at: string;
                        }[];
                        next_cursor: string | null;
                    };
                };
            };
            400: components["responses"]["Problem400"];
            401: components["responses"]["Problem401"];
            403: components["responses"]["Problem403"];
        };
    };
    adminClientsCreate: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": {
                    name: string;
                    /** @enum {string} */
                    type: "confidential" | "public";
                    /** @description Exact redirect URIs (needed by authorization_code) */
                    redirect_uris?: string[];
                    /** @description Where RP-initiated logout may return */
                    post_logout_redirect_uris?: string[];
                    /** @description Default: authorization_code and refresh_token */
                    grant_types?: ("authorization_code" | "refresh_token" | "client_credentials" | "urn:ietf:params:oauth:grant-type:device_code")[];
                    /** @description Default: openid offline_access profile email phone */
                    scope?: string;
                    /** @description The operator's own app: skips the consent page */
                    first_party?: boolean;
                    /** @description OpenID Back-Channel Logout: where logout tokens are posted when a session ends; https (http only on localhost, 127.0.0.1 or [::1]), no fragment; may be a private address (set by an operator) */
                    backchannel_logout_uri?: string;
                    /** @description Logout tokens (and ID tokens) carry the session id `sid`; default true when a URI is set */
                    backchannel_logout_session_required?: boolean;
                };
            };
        };
        responses: {
            /** @description Created */
            201: {
                headers: {
                    ETag: components["headers"]["ETag"];
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        client_id: string;
                        name: string;
                        /**
                         * @description confidential clients have a secret; public ones (SPAs, native apps) do not
                         * @enum {string}
                         */
                        type: "confidential" | "public";
                        redirect_uris: string[];
                        post_logout_redirect_uris: string[];
                        grant_types: string[];
                        scope: string;
                        first_party: boolean;
                        /** @description The account console's own client (`latchkey-account`): it cannot be changed, deleted or given a new secret (403) */
                        built_in: boolean;
                        /** @description Set on an API resource's introspection client: only its name and secret can change, and it goes with its API (403 otherwise) */
                        introspects_resource_id: string | null;
                        /** @description Where back-channel logout tokens are posted; null when none */
                        backchannel_logout_uri: string | null;
                        backchannel_logout_session_required: boolean;
                        /** Format: date-time */
                        created_at: string;
                        /** Format: date-time */
                        updated_at: string;
                        /** @description Shown only in this response; stored only as a hash */
                        client_secret?: string;
                    };
                };
            };
            400: components["responses"]["Problem400"];
            401: components["responses"]["Problem401"];
            403: components["responses"]["Problem403"];
            409: components["responses"]["Problem409"];
        };
    };
    adminClientsGet: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                client_id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description OK */
            200: {
                headers: {
                    ETag: components["headers"]["ETag"];
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        client_id: string;
                        name: string;
                        /**
                         * @description confidential clients have a secret; public ones (SPAs, native apps) do not
                         * @enum {string}
                         */
                        type: "confidential" | "public";
                        redirect_uris: string[];
                        post_logout_redirect_uris: string[];
                        grant_types: string[];
                        scope: string;
                        first_party: boolean;
                        /** @description The account console's own client (`latchkey-account`): it cannot be changed, deleted or given a new secret (403) */
                        built_in: boolean;
                        /** @description Set on an API resource's introspection client: only its name and secret can change, and it goes with its API (403 otherwise) */
                        introspects_resource_id: string | null;
                        /** @description Where back-channel logout tokens are posted; null when none */
                        backchannel_logout_uri: string | null;
                        backchannel_logout_session_required: boolean;
                        /** Format: date-time */
                        created_at: string;
                        /** Format: date-time */
                        updated_at: string;
                    };
                };
            };
            400: components["responses"]["Problem400"];
            401: components["responses"]["Problem401"];
            403: components["responses"]["Problem403"];
            404: components["responses"]["Problem404"];
        };
    };
    adminClientsDelete: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                client_id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description No content */
            204: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
            400: components["responses"]["Problem400"];
            401: components["responses"]["Problem401"];
            403: components["responses"]["Problem403"];
            404: components["responses"]["Problem404"];
        };
    };
    adminClientsUpdate: {
        parameters: {
            query?: never;
            header?: {
                /** @description The ETag from GET of this resource */
                "if-match"?: unknown | string;
            };
            path: {
                client_id: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": {
                    name?: string;
                    /** @description Exact redirect URIs (needed by authorization_code) */
                    redirect_uris?: string[];
                    /** @description Where RP-initiated logout may return */
                    post_logout_redirect_uris?: string[];
                    grant_types?: ("authorization_code" | "refresh_token" | "client_credentials" | "urn:ietf:params:oauth:grant-type:device_code")[];
                    /** @description Scopes the client may request, space-separated (OIDC scopes and API scopes) */
                    scope?: string;
                    /** @description The operator's own app: skips the consent page */
                    first_party?: boolean;
                    /** @description null removes it */
                    backchannel_logout_uri?: string | null;
                    /** @description Logout tokens (and ID tokens) carry the session id `sid`; default true when a URI is set */
                    backchannel_logout_session_required?: boolean;
                };
            };
        };
        responses: {
            /** @description OK */
            200: {
                headers: {
                    ETag: components["headers"]["ETag"];
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        client_id: string;
                        name: string;
                        /**
                         * @description confidential clients have a secret; public ones (SPAs, native apps) do not
                         * @enum {string}
                         */
                        type: "confidential" | "public";
                        redirect_uris: string[];
                        post_logout_redirect_uris: string[];
                        grant_types: string[];
                        scope: string;
                        first_party: boolean;
                        /** @description The account console's own client (`latchkey-account`): it cannot be changed, deleted or given a new secret (403) */
                        built_in: boolean;
                        /** @description Set on an API resource's introspection client: only its name and secret can change, and it goes with its API (403 otherwise) */
                        introspects_resource_id: string | null;
                        /** @description Where back-channel logout tokens are posted; null when none */
                        backchannel_logout_uri: string | null;
                        backchannel_logout_session_required: boolean;
                        /** Format: date-time */
                        created_at: string;
                        /** Format: date-time */
                        updated_at: string;
                    };
                };
            };
            400: components["responses"]["Problem400"];
            401: components["responses"]["Problem401"];
            403: components["responses"]["Problem403"];
            404: components["responses"]["Problem404"];
            409: components["responses"]["Problem409"];
            412: components["responses"]["Problem412"];
            428: components["responses"]["Problem428"];
        };
    };
    adminClientsRotateSecret: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                client_id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description OK */
            200: {
                headers: {
                    ETag: components["headers"]["ETag"];
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        client_id: string;
                        name: string;
                        /**
                         * @description confidential clients have a secret; public ones (SPAs, native apps) do not
                         * @enum {string}
                         */
                        type: "confidential" | "public";
                        redirect_uris: string[];
                        post_logout_redirect_uris: string[];
                        grant_types: string[];
                        scope: string;
                        first_party: boolean;
                        /** @description The account console's own client (`latchkey-account`): it cannot be changed, deleted or given a new secret (403) */
                        built_in: boolean;
                        /** @description Set on an API resource's introspection client: only its name and secret can change, and it goes with its API (403 otherwise) */
                        introspects_resource_id: string | null;
                        /** @description Where back-channel logout tokens are posted; null when none */
                        backchannel_logout_uri: string | null;
                        backchannel_logout_session_required: boolean;
                        /** Format: date-time */
                        created_at: string;
                        /** Format: date-time */
                        updated_at: string;
                        /** @description Shown only in this response; stored only as a hash */
                        client_secret?: string;
                    };
                };
            };
            400: components["responses"]["Problem400"];
            401: components["responses"]["Problem401"];
            403: components["responses"]["Problem403"];
            404: components["responses"]["Problem404"];
            409: components["responses"]["Problem409"];
        };
    };
    adminResourcesList: {
        parameters: {
            query?: {
                /** @description Items per page (1–100) */
                limit?: number;
                /** @description next_cursor of the previous page; only valid with the same filters and sort */
                cursor?: unknown | string;
                sort?: "created_at" | "-created_at" | "identifier" | "-identifier";
                /** @description Only APIs whose identifier starts with this */
                identifier_prefix?: unknown | string;
            };
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description OK */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        items: {
                            /** Format: uuid */
                            id: string;
                            /** @description The API's identifier URL: the audience of its tokens (RFC 8707) */
                            identifier: string;
                            name: string | null;
                            scopes: string[];
                            token_ttl: number;
                            signing_alg: string;
                            /** @description This server's own API (`<issuer>/api`); cannot be changed or deleted */
                            built_in: boolean;
                            /** Format: date-time */
                            created_at: string;
                            /** Format: date-time */
                            updated_at: string;
                        }[];
                        next_cursor: string | null;
                    };
                };
            };
            400: components["responses"]["Problem400"];
            401: components["responses"]["Problem401"];
            403: components["responses"]["Problem403"];
        };
    };
    adminResourcesCreate: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": {
                    /** @description http(s) URL without a fragment, e.g. https://api.example.com */
                    identifier: string;
                    /** @description Display name */
                    name?: string | null;
                    /** @description Scopes the API understands */
                    scopes?: string[];
                    /** @description Default 3600 */
                    token_ttl?: number;
                    /**
                     * @description Default RS256
                     * @enum {string}
                     */
                    signing_alg?: "RS256" | "ES256";
                };
            };
        };
        responses: {
            /** @description Created */
            201: {
                headers: {
                    ETag: components["headers"]["ETag"];
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        /** Format: uuid */
                        id: string;
                        /** @description The API's identifier URL: the audience of its tokens (RFC 8707) */
                        identifier: string;
                        name: string | null;
                        scopes: string[];
                        token_ttl: number;
                        signing_alg: string;
                        /** @description This server's own API (`<issuer>/api`); cannot be changed or deleted */
                        built_in: boolean;
                        /** Format: date-time */
                        created_at: string;
                        /** Format: date-time */
                        updated_at: string;
                        /** @description The API's own client for POST /token/introspection (RFC 7662); it can get no token */
                        introspection_client_id: string;
                        /** @description Shown only in this response; stored only as a hash (replace it with POST /admin/clients/{client_id}/secret) */
                        introspection_client_secret: string;
                    };
                };
            };
            400: components["responses"]["Problem400"];
            401: components["responses"]["Problem401"];
            403: components["responses"]["Problem403"];
            409: components["responses"]["Problem409"];
        };
    };
    adminResourcesGet: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description OK */
            200: {
                headers: {
                    ETag: components["headers"]["ETag"];
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        /** Format: uuid */
                        id: string;
                        /** @description The API's identifier URL: the audience of its tokens (RFC 8707) */
                        identifier: string;
                        name: string | null;
                        scopes: string[];
                        token_ttl: number;
                        signing_alg: string;
                        /** @description This server's own API (`<issuer>/api`); cannot be changed or deleted */
                        built_in: boolean;
                        /** Format: date-time */
                        created_at: string;
                        /** Format: date-time */
                        updated_at: string;
                    };
                };
            };
            400: components["responses"]["Problem400"];
            401: components["responses"]["Problem401"];
            403: components["responses"]["Problem403"];
            404: components["responses"]["Problem404"];
        };
    };
    adminResourcesDelete: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description No content */
            204: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
            400: components["responses"]["Problem400"];
            401: components["responses"]["Problem401"];
            403: components["responses"]["Problem403"];
            404: components["responses"]["Problem404"];
        };
    };
    adminResourcesUpdate: {
        parameters: {
            query?: never;
            header?: {
                /** @description The ETag from GET of this resource */
                "if-match"?: unknown | string;
            };
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": {
                    /** @description Display name */
                    name?: string | null;
                    /** @description Scopes the API understands */
                    scopes?: string[];
                    /** @description Access-token lifetime in seconds */
                    token_ttl?: number;
                    /**
                     * @description JWS algorithm of its access tokens
                     * @enum {string}
                     */
                    signing_alg?: "RS256" | "ES256";
                };
            };
        };
        responses: {
            /** @description OK */
            200: {
                headers: {
                    ETag: components["headers"]["ETag"];
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        /** Format: uuid */
                        id: string;
                        /** @description The API's identifier URL: the audience of its tokens (RFC 8707) */
                        identifier: string;
                        name: string | null;
                        scopes: string[];
                        token_ttl: number;
                        signing_alg: string;
                        /** @description This server's own API (`<issuer>/api`); cannot be changed or deleted */
                        built_in: boolean;
                        /** Format: date-time */
                        created_at: string;
                        /** Format: date-time */
                        updated_at: string;
                    };
                };
            };
            400: components["responses"]["Problem400"];
            401: components["responses"]["Problem401"];
            403: components["responses"]["Problem403"];
            404: components["responses"]["Problem404"];
            412: components["responses"]["Problem412"];
            428: components["responses"]["Problem428"];
        };
    };
    adminKeysList: {
        parameters: {
            query?: {
                /** @description next: published, not yet signing; active: signs; retired: verifies only */
                status?: unknown | ("next" | "active" | "retired");
                alg?: unknown | ("RS256" | "ES256");
            };
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description OK */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        items: {
                            kid: string;
                            alg: string;
                            /**
                             * @description next: published, not yet signing; active: signs; retired: verifies only
                             * @enum {string}
                             */
                            status: "next" | "active" | "retired";
                            /** @description In the JWKS; false once a retired key has expired */
                            published: boolean;
                            /** Format: date-time */
                            activates_at: string;
                            retired_at: string | null;
                            /** @description When a retired key leaves the JWKS */
                            expires_at: string | null;
                        }[];
                    };
                };
            };
            400: components["responses"]["Problem400"];
            401: components["responses"]["Problem401"];
            403: components["responses"]["Problem403"];
        };
    };
    adminKeysRotate: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": {
                    /** @description Sign with the new keys immediately (emergency; replicas catch up within their refresh interval) */
                    now?: boolean;
                };
            };
        };
        responses: {
            /** @description OK */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        rotated: {
                            kid: string;
                            alg: string;
                            /** Format: date-time */
                            activates_at: string;
                        }[];
                    };
                };
            };
            400: components["responses"]["Problem400"];
            401: components["responses"]["Problem401"];
            403: components["responses"]["Problem403"];
        };
    };
    adminKeysRevoke: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                kid: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description OK */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        kid: string;
                        alg: string;
                        /**
                         * @description Its status when revoked
                         * @enum {string}
                         */
                        was: "next" | "active" | "retired";
                        /** @description The key that signs for its algorithm from now on, when the revoked one was signing */
                        active: {
                            kid: string;
                            created: boolean;
                        } | null;
                    };
                };
            };
            400: components["responses"]["Problem400"];
            401: components["responses"]["Problem401"];
            403: components["responses"]["Problem403"];
            404: components["responses"]["Problem404"];
        };
    };
    adminWebhooksList: {
        parameters: {
            query?: {
                /** @description Items per page (1–100) */
                limit?: number;
                /** @description next_cursor of the previous page; only valid with the same filters and sort */
                cursor?: unknown | string;
                sort?: "created_at" | "-created_at";
            };
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description OK */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        items: {
                            /** Format: uuid */
                            id: string;
                            url: string;
                            description: string | null;
                            event_types: string[];
                            enabled: boolean;
                            /** @description After a rotation: until when deliveries also carry a signature with the previous secret */
                            previous_secret_expires_at: string | null;
                            /** Format: date-time */
                            created_at: string;
                            /** Format: date-time */
                            updated_at: string;
                        }[];
                        next_cursor: string | null;
                    };
                };
            };
            400: components["responses"]["Problem400"];
            401: components["responses"]["Problem401"];
            403: components["responses"]["Problem403"];
        };
    };
    adminWebhooksCreate: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": {
                    /**
                     * Format: uri
                     * @description Where deliveries are POSTed; redirects are not followed
                     */
                    url: string;
                    description?: string | null;
                    /** @description The event types this endpoint receives */
                    event_types: ("user.created" | "user.updated" | "session.created" | "session.revoked" | "sign_in.succeeded" | "sign_in.failed" | "grant.revoked" | "token.revoked")[];
                    enabled?: boolean;
                };
            };
        };
        responses: {
            /** @description Created */
            201: {
                headers: {
                    ETag: components["headers"]["ETag"];
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        /** Format: uuid */
                        id: string;
                        url: string;
                        description: string | null;
                        event_types: string[];
                        enabled: boolean;
                        /** @description After a rotation: until when deliveries also carry a signature with the previous secret */
                        previous_secret_expires_at: string | null;
                        /** Format: date-time */
                        created_at: string;
                        /** Format: date-time */
                        updated_at: string;
                        /** @description The signing secret (whsec_…, Standard Webhooks). Shown only in this response */
                        secret: string;
                    };
                };
            };
            400: components["responses"]["Problem400"];
            401: components["responses"]["Problem401"];
            403: components["responses"]["Problem403"];
        };
    };
    adminWebhooksGet: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description OK */
            200: {
                headers: {
                    ETag: components["headers"]["ETag"];
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        /** Format: uuid */
                        id: string;
                        url: string;
                        description: string | null;
                        event_types: string[];
                        enabled: boolean;
                        /** @description After a rotation: until when deliveries also carry a signature with the previous secret */
                        previous_secret_expires_at: string | null;
                        /** Format: date-time */
                        created_at: string;
                        /** Format: date-time */
                        updated_at: string;
                    };
                };
            };
            400: components["responses"]["Problem400"];
            401: components["responses"]["Problem401"];
            403: components["responses"]["Problem403"];
            404: components["responses"]["Problem404"];
        };
    };
    adminWebhooksDelete: {
        parameters: {
            query?: never;
            header?: {
                /** @description The ETag from GET of this resource */
                "if-match"?: unknown | string;
            };
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description No content */
            204: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
            400: components["responses"]["Problem400"];
            401: components["responses"]["Problem401"];
            403: components["responses"]["Problem403"];
            404: components["responses"]["Problem404"];
            412: components["responses"]["Problem412"];
        };
    };
    adminWebhooksUpdate: {
        parameters: {
            query?: never;
            header?: {
                /** @description The ETag from GET of this resource */
                "if-match"?: unknown | string;
            };
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": {
                    /**
                     * Format: uri
                     * @description Where deliveries are POSTed; redirects are not followed
                     */
                    url?: string;
                    description?: string | null;
                    /** @description The event types this endpoint receives */
                    event_types?: ("user.created" | "user.updated" | "session.created" | "session.revoked" | "sign_in.succeeded" | "sign_in.failed" | "grant.revoked" | "token.revoked")[];
                    enabled?: boolean;
                };
            };
        };
        responses: {
            /** @description OK */
            200: {
                headers: {
                    ETag: components["headers"]["ETag"];
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        /** Format: uuid */
                        id: string;
                        url: string;
                        description: string | null;
                        event_types: string[];
                        enabled: boolean;
                        /** @description After a rotation: until when deliveries also carry a signature with the previous secret */
                        previous_secret_expires_at: string | null;
                        /** Format: date-time */
                        created_at: string;
                        /** Format: date-time */
                        updated_at: string;
                    };
                };
            };
            400: components["responses"]["Problem400"];
            401: components["responses"]["Problem401"];
            403: components["responses"]["Problem403"];
            404: components["responses"]["Problem404"];
            412: components["responses"]["Problem412"];
            428: components["responses"]["Problem428"];
        };
    };
    adminWebhooksRotateSecret: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description OK */
            200: {
                headers: {
                    ETag: components["headers"]["ETag"];
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        /** Format: uuid */
                        id: string;
                        url: string;
                        description: string | null;
                        event_types: string[];
                        enabled: boolean;
                        /** @description After a rotation: until when deliveries also carry a signature with the previous secret */
                        previous_secret_expires_at: string | null;
                        /** Format: date-time */
                        created_at: string;
                        /** Format: date-time */
                        updated_at: string;
                        /** @description The signing secret (whsec_…, Standard Webhooks). Shown only in this response */
                        secret: string;
                    };
                };
            };
            400: components["responses"]["Problem400"];
            401: components["responses"]["Problem401"];
            403: components["responses"]["Problem403"];
            404: components["responses"]["Problem404"];
            409: components["responses"]["Problem409"];
        };
    };
    adminWebhooksListDeliveries: {
        parameters: {
            query?: {
                /** @description Items per page (1–100) */
                limit?: number;
                /** @description next_cursor of the previous page; only valid with the same filters and sort */
                cursor?: unknown | string;
                status?: unknown | ("pending" | "delivered" | "failed");
                event_type?: unknown | ("user.created" | "user.updated" | "session.created" | "session.revoked" | "sign_in.succeeded" | "sign_in.failed" | "grant.revoked" | "token.revoked");
                sort?: "created_at" | "-created_at";
            };
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description OK */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        items: {
                            /** Format: uuid */
                            id: string;
                            /** Format: uuid */
                            webhook_id: string;
                            /** @description Also the webhook-id header of the delivery: evt_<event_id> */
                            event_id: string;
                            event_type: string;
                            /** @enum {string} */
                            status: "pending" | "delivered" | "failed";
                            attempts: number;
                            /** @description When the next attempt is due (pending only) */
                            next_attempt_at: string | null;
                            last_attempt_at: string | null;
                            /** @description HTTP status of the last attempt; null when no answer came */
                            last_status: number | null;
                            /** @description Why the last attempt failed (a short excerpt of the answer at most) */
                            last_error: string | null;
                            delivered_at: string | null;
                            /** Format: date-time */
                            created_at: string;
                        }[];
                        next_cursor: string | null;
                    };
                };
            };
            400: components["responses"]["Problem400"];
            401: components["responses"]["Problem401"];
            403: components["responses"]["Problem403"];
            404: components["responses"]["Problem404"];
        };
    };
    adminWebhooksReplayDelivery: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: string;
                deliveryId: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description OK */
            202: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        /** Format: uuid */
                        id: string;
                        /** Format: uuid */
                        webhook_id: string;
                        /** @description Also the webhook-id header of the delivery: evt_<event_id> */
                        event_id: string;
                        event_type: string;
                        /** @enum {string} */
                        status: "pending" | "delivered" | "failed";
                        attempts: number;
                        /** @description When the next attempt is due (pending only) */
                        next_attempt_at: string | null;
                        last_attempt_at: string | null;
                        /** @description HTTP status of the last attempt; null when no answer came */
                        last_status: number | null;
                        /** @description Why the last attempt failed (a short excerpt of the answer at most) */
                        last_error: string | null;
                        delivered_at: string | null;
                        /** Format: date-time */
                        created_at: string;
                    };
                };
            };
            400: components["responses"]["Problem400"];
            401: components["responses"]["Problem401"];
            403: components["responses"]["Problem403"];
            404: components["responses"]["Problem404"];
            409: components["responses"]["Problem409"];
        };
    };
    adminWebhooksReplayEvent: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: string;
                eventId: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description OK */
            202: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        /** Format: uuid */
                        id: string;
                        /** Format: uuid */
                        webhook_id: string;
                        /** @description Also the webhook-id header of the delivery: evt_<event_id> */
                        event_id: string;
                        event_type: string;
                        /** @enum {string} */
                        status: "pending" | "delivered" | "failed";
                        attempts: number;
                        /** @description When the next attempt is due (pending only) */
                        next_attempt_at: string | null;
                        last_attempt_at: string | null;
                        /** @description HTTP status of the last attempt; null when no answer came */
                        last_status: number | null;
                        /** @description Why the last attempt failed (a short excerpt of the answer at most) */
                        last_error: string | null;
                        delivered_at: string | null;
                        /** Format: date-time */
                        created_at: string;
                    };
                };
            };
            400: components["responses"]["Problem400"];
            401: components["responses"]["Problem401"];
            403: components["responses"]["Problem403"];
            404: components["responses"]["Problem404"];
            409: components["responses"]["Problem409"];
        };
    };
    adminApiTokensList: {
        parameters: {
            query?: {
                /** @description Items per page (1–100) */
                limit?: number;
                /** @description next_cursor of the previous page; only valid with the same filters and sort */
                cursor?: unknown | string;
                /** @description Only this user's tokens */
                user_id?: unknown | string;
                status?: unknown | ("active" | "expired" | "revoked" | "blocked");
                sort?: "created_at" | "-created_at";
            };
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description OK */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        items: {
                            /** Format: uuid */
                            id: string;
                            /** @description The owner */
                            user_id: string;
                            name: string;
                            /** @description The first characters of the token (lk_pat_…), to tell tokens apart; not usable */
                            prefix: string;
                            scopes: string[];
                            /** @enum {string} */
                            status: "active" | "expired" | "revoked" | "blocked";
                            /** Format: date-time */
                            created_at: string;
                            expires_at: string | null;
                            /** @description Recorded at most once a minute */
                            last_used_at: string | null;
                            last_used_ip: string | null;
                            revoked_at: string | null;
                        }[];
                        next_cursor: string | null;
                    };
                };
            };
            400: components["responses"]["Problem400"];
            401: components["responses"]["Problem401"];
            403: components["responses"]["Problem403"];
        };
    };
    adminApiTokensGet: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description OK */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        /** Format: uuid */
                        id: string;
                        /** @description The owner */
                        user_id: string;
                        name: string;
                        /** @description The first characters of the token (lk_pat_…), to tell tokens apart; not usable */
                        prefix: string;
                        scopes: string[];
                        /** @enum {string} */
                        status: "active" | "expired" | "revoked" | "blocked";
                        /** Format: date-time */
                        created_at: string;
                        expires_at: string | null;
                        /** @description Recorded at most once a minute */
                        last_used_at: string | null;
                        last_used_ip: string | null;
                        revoked_at: string | null;
                    };
                };
            };
            400: components["responses"]["Problem400"];
            401: components["responses"]["Problem401"];
            403: components["responses"]["Problem403"];
            404: components["responses"]["Problem404"];
        };
    };
    adminApiTokensRevoke: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description OK */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        /** Format: uuid */
                        id: string;
                        /** @description The owner */
                        user_id: string;
                        name: string;
                        /** @description The first characters of the token (lk_pat_…), to tell tokens apart; not usable */
                        prefix: string;
                        scopes: string[];
                        /** @enum {string} */
                        status: "active" | "expired" | "revoked" | "blocked";
                        /** Format: date-time */
                        created_at: string;
                        expires_at: string | null;
                        /** @description Recorded at most once a minute */
                        last_used_at: string | null;
                        last_used_ip: string | null;
                        revoked_at: string | null;
                    };
                };
            };
            400: components["responses"]["Problem400"];
            401: components["responses"]["Problem401"];
            403: components["responses"]["Problem403"];
            404: components["responses"]["Problem404"];
        };
    };
    adminApiTokensBlock: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description OK */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        /** Format: uuid */
                        id: string;
                        /** @description The owner */
                        user_id: string;
                        name: string;
                        /** @description The first characters of the token (lk_pat_…), to tell tokens apart; not usable */
                        prefix: string;
                        scopes: string[];
                        /** @enum {string} */
                        status: "active" | "expired" | "revoked" | "blocked";
                        /** Format: date-time */
                        created_at: string;
                        expires_at: string | null;
                        /** @description Recorded at most once a minute */
                        last_used_at: string | null;
                        last_used_ip: string | null;
                        revoked_at: string | null;
                    };
                };
            };
            400: components["responses"]["Problem400"];
            401: components["responses"]["Problem401"];
            403: components["responses"]["Problem403"];
            404: components["responses"]["Problem404"];
        };
    };
    adminApiTokensUnblock: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description OK */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        /** Format: uuid */
                        id: string;
                        /** @description The owner */
                        user_id: string;
                        name: string;
                        /** @description The first characters of the token (lk_pat_…), to tell tokens apart; not usable */
                        prefix: string;
                        scopes: string[];
                        /** @enum {string} */
                        status: "active" | "expired" | "revoked" | "blocked";
                        /** Format: date-time */
                        created_at: string;
                        expires_at: string | null;
                        /** @description Recorded at most once a minute */
                        last_used_at: string | null;
                        last_used_ip: string | null;
                        revoked_at: string | null;
                    };
                };
            };
            400: components["responses"]["Problem400"];
            401: components["responses"]["Problem401"];
            403: components["responses"]["Problem403"];
            404: components["responses"]["Problem404"];
        };
    };
    adminUsersList: {
        parameters: {
            query?: {
                /** @description Items per page (1–100) */
                limit?: number;
                /** @description next_cursor of the previous page; only valid with the same filters and sort */
                cursor?: unknown | string;
                sort?: "created_at" | "-created_at" | "email" | "-email";
                /** @description Only addresses starting with this (case-insensitive) */
                email_prefix?: unknown | string;
                /** @description Only addresses containing this (case-insensitive) */
                email_contains?: unknown | string;
                status?: unknown | ("active" | "blocked" | "deleted");
                role?: unknown | ("user" | "admin");
                /** @description Created at or after this time */
                created_after?: unknown | string;
                /** @description Created before this time */
                created_before?: unknown | string;
            };
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description OK */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        items: {
                            /** Format: uuid */
                            id: string;
                            email: string | null;
                            email_verified: boolean;
                            username: string | null;
                            display_name: string | null;
                            first_name: string | null;
                            last_name: string | null;
                            avatar_url: string | null;
                            /** @enum {string} */
                            status: "active" | "blocked" | "deleted";
                            role: string;
                            scopes: string[];
                            /** @description Locked by an operator until this time */
                            locked_until: string | null;
                            /** Format: date-time */
                            created_at: string;
                            /** Format: date-time */
                            updated_at: string;
                            last_login_at: string | null;
                            deleted_at: string | null;
                        }[];
                        next_cursor: string | null;
                    };
                };
            };
            400: components["responses"]["Problem400"];
            401: components["responses"]["Problem401"];
            403: components["responses"]["Problem403"];
        };
    };
    adminUsersCreate: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": {
                    email: string;
                    /** @description Without it the user signs in with emailed codes */
                    password?: string;
                    /** @description Display name */
                    name?: string;
                    /**
                     * @default user
                     * @enum {string}
                     */
                    role?: "user" | "admin";
                };
            };
        };
        responses: {
            /** @description Created */
            201: {
                headers: {
                    ETag: components["headers"]["ETag"];
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        /** Format: uuid */
                        id: string;
                        email: string | null;
                        email_verified: boolean;
                        username: string | null;
                        display_name: string | null;
                        first_name: string | null;
                        last_name: string | null;
                        avatar_url: string | null;
                        /** @enum {string} */
                        status: "active" | "blocked" | "deleted";
                        role: string;
                        scopes: string[];
                        /** @description Locked by an operator until this time */
                        locked_until: string | null;
                        /** Format: date-time */
                        created_at: string;
                        /** Format: date-time */
                        updated_at: string;
                        last_login_at: string | null;
                        deleted_at: string | null;
                    };
                };
            };
            400: components["responses"]["Problem400"];
            401: components["responses"]["Problem401"];
            403: components["responses"]["Problem403"];
            409: components["responses"]["Problem409"];
        };
    };
    adminUsersGet: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description OK */
            200: {
                headers: {
                    ETag: components["headers"]["ETag"];
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        /** Format: uuid */
                        id: string;
                        email: string | null;
                        email_verified: boolean;
                        username: string | null;
                        display_name: string | null;
                        first_name: string | null;
                        last_name: string | null;
                        avatar_url: string | null;
                        /** @enum {string} */
                        status: "active" | "blocked" | "deleted";
                        role: string;
                        scopes: string[];
                        /** @description Locked by an operator until this time */
                        locked_until: string | null;
                        /** Format: date-time */
                        created_at: string;
                        /** Format: date-time */
                        updated_at: string;
                        last_login_at: string | null;
                        deleted_at: string | null;
                    };
                };
            };
            400: components["responses"]["Problem400"];
            401: components["responses"]["Problem401"];
            403: components["responses"]["Problem403"];
            404: components["responses"]["Problem404"];
        };
    };
    adminUsersDelete: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description OK */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        /** @description User */
                        user: {
                            /** Format: uuid */
                            id: string;
                            email: string | null;
                            email_verified: boolean;
                            username: string | null;
                            display_name: string | null;
                            first_name: string | null;
                            last_name: string | null;
                            avatar_url: string | null;
                            /** @enum {string} */
                            status: "active" | "blocked" | "deleted";
                            role: string;
                            scopes: string[];
                            /** @description Locked by an operator until this time */
                            locked_until: string | null;
                            /** Format: date-time */
                            created_at: string;
                            /** Format: date-time */
                            updated_at: string;
                            last_login_at: string | null;
                            deleted_at: string | null;
                        };
                        sessions_revoked: number;
                        grants_revoked: number;
                    };
                };
            };
            400: components["responses"]["Problem400"];
            401: components["responses"]["Problem401"];
            403: components["responses"]["Problem403"];
            404: components["responses"]["Problem404"];
            409: components["responses"]["Problem409"];
        };
    };
    adminUsersUpdate: {
        parameters: {
            query?: never;
            header?: {
                /** @description The ETag from GET of this resource */
                "if-match"?: unknown | string;
            };
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": {
                    username?: string | null;
                    display_name?: string | null;
                    first_name?: string | null;
                    last_name?: string | null;
                    /** @enum {string} */
                    role?: "user" | "admin";
                    /**
                     * @description Delete and lock have their own routes
                     * @enum {string}
                     */
                    status?: "active" | "blocked";
                };
            };
        };
        responses: {
            /** @description OK */
            200: {
                headers: {
                    ETag: components["headers"]["ETag"];
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        /** Format: uuid */
                        id: string;
                        email: string | null;
                        email_verified: boolean;
                        username: string | null;
                        display_name: string | null;
                        first_name: string | null;
                        last_name: string | null;
                        avatar_url: string | null;
                        /** @enum {string} */
                        status: "active" | "blocked" | "deleted";
                        role: string;
                        scopes: string[];
                        /** @description Locked by an operator until this time */
                        locked_until: string | null;
                        /** Format: date-time */
                        created_at: string;
                        /** Format: date-time */
                        updated_at: string;
                        last_login_at: string | null;
                        deleted_at: string | null;
                    };
                };
            };
            400: components["responses"]["Problem400"];
            401: components["responses"]["Problem401"];
            403: components["responses"]["Problem403"];
            404: components["responses"]["Problem404"];
            409: components["responses"]["Problem409"];
            412: components["responses"]["Problem412"];
            428: components["responses"]["Problem428"];
        };
    };
    adminUsersBlock: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": {
                    /** @description Why (kept in the audit log) */
                    reason?: string;
                };
            };
        };
        responses: {
            /** @description OK */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        /** @description User */
                        user: {
                            /** Format: uuid */
                            id: string;
                            email: string | null;
                            email_verified: boolean;
                            username: string | null;
                            display_name: string | null;
                            first_name: string | null;
                            last_name: string | null;
                            avatar_url: string | null;
                            /** @enum {string} */
                            status: "active" | "blocked" | "deleted";
                            role: string;
                            scopes: string[];
                            /** @description Locked by an operator until this time */
                            locked_until: string | null;
                            /** Format: date-time */
                            created_at: string;
                            /** Format: date-time */
                            updated_at: string;
                            last_login_at: string | null;
                            deleted_at: string | null;
                        };
                        sessions_revoked: number;
                        grants_revoked: number;
                    };
                };
            };
            400: components["responses"]["Problem400"];
            401: components["responses"]["Problem401"];
            403: components["responses"]["Problem403"];
            404: components["responses"]["Problem404"];
            409: components["responses"]["Problem409"];
        };
    };
    adminUsersUnblock: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": {
                    /** @description Why (kept in the audit log) */
                    reason?: string;
                };
            };
        };
        responses: {
            /** @description OK */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        /** @description User */
                        user: {
                            /** Format: uuid */
                            id: string;
                            email: string | null;
                            email_verified: boolean;
                            username: string | null;
                            display_name: string | null;
                            first_name: string | null;
                            last_name: string | null;
                            avatar_url: string | null;
                            /** @enum {string} */
                            status: "active" | "blocked" | "deleted";
                            role: string;
                            scopes: string[];
                            /** @description Locked by an operator until this time */
                            locked_until: string | null;
                            /** Format: date-time */
                            created_at: string;
                            /** Format: date-time */
                            updated_at: string;
                            last_login_at: string | null;
                            deleted_at: string | null;
                        };
                        sessions_revoked: number;
                        grants_revoked: number;
                    };
                };
            };
            400: components["responses"]["Problem400"];
            401: components["responses"]["Problem401"];
            403: components["responses"]["Problem403"];
            404: components["responses"]["Problem404"];
            409: components["responses"]["Problem409"];
        };
    };
    adminUsersLock: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": {
                    /**
                     * Format: date-time
                     * @description In the future
                     */
                    until: string;
                    /** @description Why (kept in the audit log) */
                    reason?: string;
                };
            };
        };
        responses: {
            /** @description OK */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        /** @description User */
                        user: {
                            /** Format: uuid */
                            id: string;
                            email: string | null;
                            email_verified: boolean;
                            username: string | null;
                            display_name: string | null;
                            first_name: string | null;
                            last_name: string | null;
                            avatar_url: string | null;
                            /** @enum {string} */
                            status: "active" | "blocked" | "deleted";
                            role: string;
                            scopes: string[];
                            /** @description Locked by an operator until this time */
                            locked_until: string | null;
                            /** Format: date-time */
                            created_at: string;
                            /** Format: date-time */
                            updated_at: string;
                            last_login_at: string | null;
                            deleted_at: string | null;
                        };
                        sessions_revoked: number;
                        grants_revoked: number;
                    };
                };
            };
            400: components["responses"]["Problem400"];
            401: components["responses"]["Problem401"];
            403: components["responses"]["Problem403"];
            404: components["responses"]["Problem404"];
            409: components["responses"]["Problem409"];
        };
    };
    adminUsersUnlock: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": {
                    /** @description Why (kept in the audit log) */
                    reason?: string;
                };
            };
        };
        responses: {
            /** @description OK */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        /** @description User */
                        user: {
                            /** Format: uuid */
                            id: string;
                            email: string | null;
                            email_verified: boolean;
                            username: string | null;
                            display_name: string | null;
                            first_name: string | null;
                            last_name: string | null;
                            avatar_url: string | null;
                            /** @enum {string} */
                            status: "active" | "blocked" | "deleted";
                            role: string;
                            scopes: string[];
                            /** @description Locked by an operator until this time */
                            locked_until: string | null;
                            /** Format: date-time */
                            created_at: string;
                            /** Format: date-time */
                            updated_at: string;
                            last_login_at: string | null;
                            deleted_at: string | null;
                        };
                        sessions_revoked: number;
                        grants_revoked: number;
                    };
                };
            };
            400: components["responses"]["Problem400"];
            401: components["responses"]["Problem401"];
            403: components["responses"]["Problem403"];
            404: components["responses"]["Problem404"];
            409: components["responses"]["Problem409"];
        };
    };
    adminUsersSignOut: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": {
                    /** @description Why (kept in the audit log) */
                    reason?: string;
                };
            };
        };
        responses: {
            /** @description OK */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        sessions_revoked: number;
                    };
                };
            };
            400: components["responses"]["Problem400"];
            401: components["responses"]["Problem401"];
            403: components["responses"]["Problem403"];
            404: components["responses"]["Problem404"];
        };
    };
    adminUsersRevokeGrants: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": {
                    /** @description Only this client */
                    client_id?: string;
                    /** @description Why (kept in the audit log) */
                    reason?: string;
                };
            };
        };
        responses: {
            /** @description OK */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        grants_revoked: number;
                    };
                };
            };
            400: components["responses"]["Problem400"];
            401: components["responses"]["Problem401"];
            403: components["responses"]["Problem403"];
            404: components["responses"]["Problem404"];
        };
    };
    adminSessionsList: {
        parameters: {
            query?: {
                /** @description Items per page (1–100) */
                limit?: number;
                /** @description next_cursor of the previous page; only valid with the same filters and sort */
                cursor?: unknown | string;
                user_id?: unknown | string;
                /** @description active: live sessions only; all: also ended, revoked and expired ones */
                status?: "active" | "all";
                sort?: "created_at" | "-created_at";
            };
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description OK */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        items: {
                            id: string;
                            /** Format: uuid */
                            user_id: string;
                            /** @description active, ended (signed out) or revoked */
                            status: string;
                            browser: string | null;
                            os: string | null;
                            device: string | null;
                            ip: string | null;
                            /** Format: date-time */
                            created_at: string;
                            /** Format: date-time */
                            last_activity_at: string;
                            expires_at: string | null;
                            revoked_at: string | null;
                            revoked_reason: string | null;
                        }[];
                        next_cursor: string | null;
                    };
                };
            };
            400: components["responses"]["Problem400"];
            401: components["responses"]["Problem401"];
            403: components["responses"]["Problem403"];
        };
    };
    adminSessionsRevoke: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": {
                    /** @description Kept in the session row and the audit log */
                    reason?: string;
                };
            };
        };
        responses: {
            /** @description OK */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        id: string;
                        /** Format: uuid */
                        user_id: string;
                        /** @description active, ended (signed out) or revoked */
                        status: string;
                        browser: string | null;
                        os: string | null;
                        device: string | null;
                        ip: string | null;
                        /** Format: date-time */
                        created_at: string;
                        /** Format: date-time */
                        last_activity_at: string;
                        expires_at: string | null;
                        revoked_at: string | null;
                        revoked_reason: string | null;
                    };
                };
            };
            400: components["responses"]["Problem400"];
            401: components["responses"]["Problem401"];
            403: components["responses"]["Problem403"];
            404: components["responses"]["Problem404"];
            409: components["responses"]["Problem409"];
        };
    };
    adminGrantsList: {
        parameters: {
            query?: {
                /** @description Items per page (1–100) */
                limit?: number;
                /** @description next_cursor of the previous page; only valid with the same filters and sort */
                cursor?: unknown | string;
                user_id?: unknown | string;
                client_id?: unknown | string;
                /** @description active: unrevoked, unexpired grants only */
                status?: "active" | "all";
                sort?: "created_at" | "-created_at";
            };
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description OK */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        items: {
                            id: string;
                            user_id: string | null;
                            client_id: string;
                            /** @description OpenID Connect scopes granted */
                            scopes: string[];
                            /** @description Per API resource identifier, the scopes granted for it */
                            resources: {
                                [key: string]: string[];
                            };
                            /** Format: date-time */
                            created_at: string;
                            expires_at: string | null;
                            revoked_at: string | null;
                        }[];
                        next_cursor: string | null;
                    };
                };
            };
            400: components["responses"]["Problem400"];
            401: components["responses"]["Problem401"];
            403: components["responses"]["Problem403"];
        };
    };
    adminGrantsRevoke: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": {
                    /** @description Kept in the audit log */
                    reason?: string;
                };
            };
        };
        responses: {
            /** @description No content */
            204: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
            400: components["responses"]["Problem400"];
            401: components["responses"]["Problem401"];
            403: components["responses"]["Problem403"];
            404: components["responses"]["Problem404"];
            409: components["responses"]["Problem409"];
        };
    };
    adminInvitationsList: {
        parameters: {
            query?: {
                /** @description Items per page (1–100) */
                limit?: number;
                /** @description next_cursor of the previous page; only valid with the same filters and sort */
                cursor?: unknown | string;
                status?: unknown | ("pending" | "redeemed" | "revoked" | "expired");
                sort?: "created_at" | "-created_at";
            };
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description OK */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        items: {
                            /** Format: uuid */
                            id: string;
                            /** @description Only this address may redeem it */
                            email: string | null;
                            /** @description Granted to the account that redeems it */
                            scopes: string[];
                            /** @enum {string} */
                            status: "pending" | "redeemed" | "revoked" | "expired";
                            created_by: string | null;
                            /** Format: date-time */
                            created_at: string;
                            expires_at: string | null;
                            redeemed_by: string | null;
                            redeemed_at: string | null;
                            revoked_at: string | null;
                        }[];
                        next_cursor: string | null;
                    };
                };
            };
            400: components["responses"]["Problem400"];
            401: components["responses"]["Problem401"];
            403: components["responses"]["Problem403"];
        };
    };
    adminInvitationsCreate: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": {
                    /** @description Only this address may redeem it */
                    email?: string | null;
                    /** @default [] */
                    scopes?: string[];
                    /**
                     * @description Seconds until it expires (at most 365 days); null: never
                     * @default 604800
                     */
                    expires_in?: number | null;
                };
            };
        };
        responses: {
            /** @description Created */
            201: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        /** @description Invitation */
                        invitation: {
                            /** Format: uuid */
                            id: string;
                            /** @description Only this address may redeem it */
                            email: string | null;
                            /** @description Granted to the account that redeems it */
                            scopes: string[];
                            /** @enum {string} */
                            status: "pending" | "redeemed" | "revoked" | "expired";
                            created_by: string | null;
                            /** Format: date-time */
                            created_at: string;
                            expires_at: string | null;
                            redeemed_by: string | null;
                            redeemed_at: string | null;
                            revoked_at: string | null;
                        };
                        /** @description Shown only now */
                        code: string;
                        /** @description The sign-up link with the code */
                        url: string;
                    };
                };
            };
            400: components["responses"]["Problem400"];
            401: components["responses"]["Problem401"];
            403: components["responses"]["Problem403"];
        };
    };
    adminInvitationsGet: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description OK */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        /** Format: uuid */
                        id: string;
                        /** @description Only this address may redeem it */
                        email: string | null;
                        /** @description Granted to the account that redeems it */
                        scopes: string[];
                        /** @enum {string} */
                        status: "pending" | "redeemed" | "revoked" | "expired";
                        created_by: string | null;
                        /** Format: date-time */
                        created_at: string;
                        expires_at: string | null;
                        redeemed_by: string | null;
                        redeemed_at: string | null;
                        revoked_at: string | null;
                    };
                };
            };
            400: components["responses"]["Problem400"];
            401: components["responses"]["Problem401"];
            403: components["responses"]["Problem403"];
            404: components["responses"]["Problem404"];
        };
    };
    adminInvitationsRevoke: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description OK */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        /** Format: uuid */
                        id: string;
                        /** @description Only this address may redeem it */
                        email: string | null;
                        /** @description Granted to the account that redeems it */
                        scopes: string[];
                        /** @enum {string} */
                        status: "pending" | "redeemed" | "revoked" | "expired";
                        created_by: string | null;
                        /** Format: date-time */
                        created_at: string;
                        expires_at: string | null;
                        redeemed_by: string | null;
                        redeemed_at: string | null;
                        revoked_at: string | null;
                    };
                };
            };
            400: components["responses"]["Problem400"];
            401: components["responses"]["Problem401"];
            403: components["responses"]["Problem403"];
            404: components["responses"]["Problem404"];
            409: components["responses"]["Problem409"];
        };
    };
    adminAuditEventsList: {
        parameters: {
            query?: {
                /** @description Items per page (1–100) */
                limit?: number;
                /** @description next_cursor of the previous page; only valid with the same filters and sort */
                cursor?: unknown | string;
                actor_type?: unknown | ("user" | "client" | "operator" | "system");
                /** @description A user id, client id, or "cli" */
                actor_id?: unknown | string;
                /** @description e.g. user, session, invitation, client */
                subject_type?: unknown | string;
                subject_id?: unknown | string;
                /** @description An exact event type, e.g. user.blocked */
                type?: unknown | string;
                /** @description At or after this time */
                occurred_after?: unknown | string;
                /** @description Before this time */
                occurred_before?: unknown | string;
            };
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description OK */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        items: {
                            /** Format: uuid */
                            id: string;
                            /** Format: date-time */
                            occurred_at: string;
                            /** @description Dotted event name, e.g. user.blocked, session.revoked */
                            type: string;
                            actor: {
                                /** @enum {string} */
                                type: "user" | "client" | "operator" | "system";
                                id: string | null;
                            };
                            subject: {
                                type: string;
                                id: string;
                            } | null;
                            client_id: string | null;
                            ip: string | null;
                            user_agent: string | null;
                            /** @description Detail of the event; never secrets */
                            data: {
                                [key: string]: unknown;
                            };
                        }[];
                        next_cursor: string | null;
                    };
                };
            };
            400: components["responses"]["Problem400"];
            401: components["responses"]["Problem401"];
            403: components["responses"]["Problem403"];
        };
    };
    meApiTokensList: {
        parameters: {
            query?: {
                /** @description Items per page (1–100) */
                limit?: number;
                /** @description next_cursor of the previous page; only valid with the same filters and sort */
                cursor?: unknown | string;
                status?: unknown | ("active" | "expired" | "revoked" | "blocked");
                sort?: "created_at" | "-created_at";
            };
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description OK */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        items: {
                            /** Format: uuid */
                            id: string;
                            /** @description The owner */
                            user_id: string;
                            name: string;
                            /** @description The first characters of the token (lk_pat_…), to tell tokens apart; not usable */
                            prefix: string;
                            scopes: string[];
                            /** @enum {string} */
                            status: "active" | "expired" | "revoked" | "blocked";
                            /** Format: date-time */
                            created_at: string;
                            expires_at: string | null;
                            /** @description Recorded at most once a minute */
                            last_used_at: string | null;
                            last_used_ip: string | null;
                            revoked_at: string | null;
                        }[];
                        next_cursor: string | null;
                    };
                };
            };
            400: components["responses"]["Problem400"];
            401: components["responses"]["Problem401"];
            403: components["responses"]["Problem403"];
        };
    };
    meApiTokensCreate: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": {
                    /** @description Unique among your tokens */
                    name: string;
                    /** @description Never more than you hold: account, your own scopes, admin API scopes only while you are an admin */
                    scopes: string[];
                    /**
                     * @description Days until it expires (1–365)
                     * @default 30
                     */
                    expires_in_days?: number;
                };
            };
        };
        responses: {
            /** @description Created */
            201: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        /** @description ApiToken */
                        api_token: {
                            /** Format: uuid */
                            id: string;
                            /** @description The owner */
                            user_id: string;
                            name: string;
                            /** @description The first characters of the token (lk_pat_…), to tell tokens apart; not usable */
                            prefix: string;
                            scopes: string[];
                            /** @enum {string} */
                            status: "active" | "expired" | "revoked" | "blocked";
                            /** Format: date-time */
                            created_at: string;
                            expires_at: string | null;
                            /** @description Recorded at most once a minute */
                            last_used_at: string | null;
                            last_used_ip: string | null;
                            revoked_at: string | null;
                        };
                        /** @description lk_pat_…, shown only now */
                        token: string;
                    };
                };
            };
            400: components["responses"]["Problem400"];
            401: components["responses"]["Problem401"];
            403: components["responses"]["Problem403"];
            409: components["responses"]["Problem409"];
        };
    };
    meApiTokensRevoke: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description No content */
            204: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
            400: components["responses"]["Problem400"];
            401: components["responses"]["Problem401"];
            403: components["responses"]["Problem403"];
            404: components["responses"]["Problem404"];
        };
    };
    meProfileGet: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description OK */
            200: {
                headers: {
                    ETag: components["headers"]["ETag"];
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        /** Format: uuid */
                        id: string;
                        email: string | null;
                        email_verified: boolean;
                        username: string | null;
                        display_name: string | null;
                        first_name: string | null;
                        last_name: string | null;
                        avatar_url: string | null;
                        /** Format: date-time */
                        created_at: string;
                        /** Format: date-time */
                        updated_at: string;
                    };
                };
            };
            401: components["responses"]["Problem401"];
            403: components["responses"]["Problem403"];
        };
    };
    meProfileUpdate: {
        parameters: {
            query?: never;
            header?: {
                /** @description The ETag from GET of this resource */
                "if-match"?: unknown | string;
            };
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": {
                    username?: string | null;
                    display_name?: string | null;
                    first_name?: string | null;
                    last_name?: string | null;
                };
            };
        };
        responses: {
            /** @description OK */
            200: {
                headers: {
                    ETag: components["headers"]["ETag"];
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        /** Format: uuid */
                        id: string;
                        email: string | null;
                        email_verified: boolean;
                        username: string | null;
                        display_name: string | null;
                        first_name: string | null;
                        last_name: string | null;
                        avatar_url: string | null;
                        /** Format: date-time */
                        created_at: string;
                        /** Format: date-time */
                        updated_at: string;
                    };
                };
            };
            400: components["responses"]["Problem400"];
            401: components["responses"]["Problem401"];
            403: components["responses"]["Problem403"];
            409: components["responses"]["Problem409"];
            412: components["responses"]["Problem412"];
            428: components["responses"]["Problem428"];
        };
    };
    meEmailStart: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": {
                    /** @description A plain address (local@domain): no display name, comments or quoted local part */
                    email: string;
                };
            };
        };
        responses: {
            /** @description OK */
            202: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        email: string;
                        /** Format: date-time */
                        expires_at: string;
                    };
                };
            };
            400: components["responses"]["Problem400"];
            401: components["responses"]["Problem401"];
            403: components["responses"]["Problem403"];
            429: components["responses"]["Problem429"];
        };
    };
    meEmailConfirm: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": {
                    /** @description A plain address (local@domain): no display name, comments or quoted local part */
                    email: string;
                    /** @description The 6-digit code from the mail */
                    code: string;
                };
            };
        };
        responses: {
            /** @description OK */
            200: {
                headers: {
                    ETag: components["headers"]["ETag"];
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        /** Format: uuid */
                        id: string;
                        email: string | null;
                        email_verified: boolean;
                        username: string | null;
                        display_name: string | null;
                        first_name: string | null;
                        last_name: string | null;
                        avatar_url: string | null;
                        /** Format: date-time */
                        created_at: string;
                        /** Format: date-time */
                        updated_at: string;
                    };
                };
            };
            400: components["responses"]["Problem400"];
            401: components["responses"]["Problem401"];
            403: components["responses"]["Problem403"];
            409: components["responses"]["Problem409"];
            429: components["responses"]["Problem429"];
        };
    };
    meIdentitiesList: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description OK */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        items: {
                            /** Format: uuid */
                            id: string;
                            /** @description The upstream: github, google, apple, or a generic OpenID Connect upstream's name in lower case */
                            provider: string;
                            /** @description The address the upstream gave, as it gave it (verified or not): not the account's address */
                            email: string | null;
                            /** Format: date-time */
                            linked_at: string;
                            last_used_at: string | null;
                        }[];
                    };
                };
            };
            401: components["responses"]["Problem401"];
            403: components["responses"]["Problem403"];
        };
    };
    meIdentitiesUnlink: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description No content */
            204: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
            400: components["responses"]["Problem400"];
            401: components["responses"]["Problem401"];
            403: components["responses"]["Problem403"];
            404: components["responses"]["Problem404"];
            409: components["responses"]["Problem409"];
        };
    };
    mePasskeysList: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description OK */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        items: {
                            /** Format: uuid */
                            id: string;
                            name: string;
                            /** @description A synced passkey (backed up, usable on the owner's other devices) rather than one bound to a single device */
                            synced: boolean;
                            /** Format: date-time */
                            created_at: string;
                            last_used_at: string | null;
                        }[];
                    };
                };
            };
            401: components["responses"]["Problem401"];
            403: components["responses"]["Problem403"];
        };
    };
    mePasskeysRemove: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description No content */
            204: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
            400: components["responses"]["Problem400"];
            401: components["responses"]["Problem401"];
            403: components["responses"]["Problem403"];
            404: components["responses"]["Problem404"];
            409: components["responses"]["Problem409"];
        };
    };
    mePasskeysRename: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": {
                    /** @description So you can tell your passkeys apart */
                    name: string;
                };
            };
        };
        responses: {
            /** @description OK */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        /** Format: uuid */
                        id: string;
                        name: string;
                        /** @description A synced passkey (backed up, usable on the owner's other devices) rather than one bound to a single device */
                        synced: boolean;
                        /** Format: date-time */
                        created_at: string;
                        last_used_at: string | null;
                    };
                };
            };
            400: components["responses"]["Problem400"];
            401: components["responses"]["Problem401"];
            403: components["responses"]["Problem403"];
            404: components["responses"]["Problem404"];
        };
    };
    mePasswordChange: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": {
                    /** @description Required when the account has a password */
                    current_password?: string;
                    new_password: string;
                    /** @description The session to keep signed in; without it every session is signed out (access tokens name no session) */
                    keep_session_id?: string;
                };
            };
        };
        responses: {
            /** @description OK */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        sessions_revoked: number;
                    };
                };
            };
            400: components["responses"]["Problem400"];
            401: components["responses"]["Problem401"];
            403: components["responses"]["Problem403"];
            409: components["responses"]["Problem409"];
            429: components["responses"]["Problem429"];
        };
    };
    mePhoneGet: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description OK */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        /** @description E.164, e.g. +14155550100; null when the account has none */
                        phone: string | null;
                        /** @description Proved by a texted code: only a verified number signs in and is in the phone_number claim as verified */
                        verified: boolean;
                        verified_at: string | null;
                    };
                };
            };
            401: components["responses"]["Problem401"];
            403: components["responses"]["Problem403"];
            404: components["responses"]["Problem404"];
        };
    };
    mePhoneStart: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": {
                    /** @description A phone number with its country code (+14155550100; spaces, dashes and brackets allowed); without one, the server's default region applies */
                    phone: string;
                };
            };
        };
        responses: {
            /** @description OK */
            202: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        /** @description The number as E.164 */
                        phone: string;
                        /** Format: date-time */
                        expires_at: string;
                    };
                };
            };
            400: components["responses"]["Problem400"];
            401: components["responses"]["Problem401"];
            403: components["responses"]["Problem403"];
            404: components["responses"]["Problem404"];
            429: components["responses"]["Problem429"];
            503: components["responses"]["Problem503"];
        };
    };
    mePhoneRemove: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description OK */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        /** @description E.164, e.g. +14155550100; null when the account has none */
                        phone: string | null;
                        /** @description Proved by a texted code: only a verified number signs in and is in the phone_number claim as verified */
                        verified: boolean;
                        verified_at: string | null;
                    };
                };
            };
            401: components["responses"]["Problem401"];
            403: components["responses"]["Problem403"];
            404: components["responses"]["Problem404"];
            409: components["responses"]["Problem409"];
        };
    };
    mePhoneVerify: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": {
                    /** @description A phone number with its country code (+14155550100; spaces, dashes and brackets allowed); without one, the server's default region applies */
                    phone: string;
                    /** @description The 6-digit code from the text message */
                    code: string;
                };
            };
        };
        responses: {
            /** @description OK */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        /** @description E.164, e.g. +14155550100; null when the account has none */
                        phone: string | null;
                        /** @description Proved by a texted code: only a verified number signs in and is in the phone_number claim as verified */
                        verified: boolean;
                        verified_at: string | null;
                    };
                };
            };
            400: components["responses"]["Problem400"];
            401: components["responses"]["Problem401"];
            403: components["responses"]["Problem403"];
            404: components["responses"]["Problem404"];
            409: components["responses"]["Problem409"];
            429: components["responses"]["Problem429"];
        };
    };
    meSessionsList: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description OK */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        items: {
                            id: string;
                            /** @description e.g. "Firefox 121" */
                            browser: string | null;
                            /** @description e.g. "Windows 10" */
                            os: string | null;
                            /** @description e.g. "desktop" or "mobile (Apple iPhone)" */
                            device: string | null;
                            ip: string | null;
                            /** Format: date-time */
                            created_at: string;
                            /** Format: date-time */
                            last_activity_at: string;
                            expires_at: string | null;
                        }[];
                    };
                };
            };
            401: components["responses"]["Problem401"];
            403: components["responses"]["Problem403"];
        };
    };
    meSessionsRevoke: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description No content */
            204: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
            400: components["responses"]["Problem400"];
            401: components["responses"]["Problem401"];
            403: components["responses"]["Problem403"];
            404: components["responses"]["Problem404"];
        };
    };
    meSessionsRevokeOthers: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": {
                    /** @description The session to keep signed in (an id from the session list) */
                    keep_session_id: string;
                };
            };
        };
        responses: {
            /** @description OK */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        revoked: number;
                    };
                };
            };
            400: components["responses"]["Problem400"];
            401: components["responses"]["Problem401"];
            403: components["responses"]["Problem403"];
            404: components["responses"]["Problem404"];
        };
    };
    meTwoStepGet: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description OK */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        /** @description Whether sign-ins ask for a code from an authenticator app */
                        totp_enabled: boolean;
                        /** @description Unused recovery codes (0 when the app is off) */
                        recovery_codes_left: number;
                    };
                };
            };
            401: components["responses"]["Problem401"];
            403: components["responses"]["Problem403"];
        };
    };
    meTwoStepTurnOffTotp: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": {
                    /** @description A current 6-digit code from the app, or one of the recovery codes */
                    code: string;
                };
            };
        };
        responses: {
            /** @description OK */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        /** @description Whether sign-ins ask for a code from an authenticator app */
                        totp_enabled: boolean;
                        /** @description Unused recovery codes (0 when the app is off) */
                        recovery_codes_left: number;
                    };
                };
            };
            400: components["responses"]["Problem400"];
            401: components["responses"]["Problem401"];
            403: components["responses"]["Problem403"];
            409: components["responses"]["Problem409"];
            429: components["responses"]["Problem429"];
        };
    };
    meAppsList: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description OK */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        items: {
                            client_id: string;
                            client_name: string | null;
                            /** @description OpenID Connect scopes granted (openid, profile, email, offline_access …) */
                            scopes: string[];
                            /** @description APIs the app may call for you, with their scopes */
                            resources: {
                                resource: string;
                                scopes: string[];
                            }[];
                            /** Format: date-time */
                            first_granted_at: string;
                            /** Format: date-time */
                            last_granted_at: string;
                            expires_at: string | null;
                        }[];
                    };
                };
            };
            401: components["responses"]["Problem401"];
            403: components["responses"]["Problem403"];
        };
    };
    meAppsRevoke: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                client_id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description No content */
            204: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
            400: components["responses"]["Problem400"];
            401: components["responses"]["Problem401"];
            403: components["responses"]["Problem403"];
            404: components["responses"]["Problem404"];
        };
    };
}
