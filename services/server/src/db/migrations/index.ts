import type { Migration } from '../migrate.ts';
import users from './20261124000001_users.ts';
import clients from './20261124000002_clients.ts';
import oidcModels from './20261124000003_oidc_models.ts';
import signIn from './20261124000004_sign_in.ts';
import apiTokens from './20261124000005_api_tokens.ts';
import auditEvents from './20261124000006_audit_events.ts';
import verificationCodeFlow from './20261124000007_verification_code_flow.ts';
import api from './20261130000001_api.ts';
import webhooks from './20261130000002_webhooks.ts';
import apiTokenExtras from './20261130000003_api_tokens.ts';
import auditEventOrder from './20261130000004_audit_event_order.ts';
import passkeys from './20261130000005_passkeys.ts';
import recoveryCodes from './20261130000006_recovery_codes.ts';
import phone from './20261130000008_phone.ts';
import ssfStreams from './20261201000011_ssf_streams.ts';
import backchannelLogouts from './20261201000020_backchannel_logouts.ts';

// Append new migrations at the end. Never edit or reorder a landed one.
export const migrations: readonly Migration[] = [users, clients, oidcModels, signIn, apiTokens, auditEvents, verificationCodeFlow, api, webhooks, apiTokenExtras, auditEventOrder, passkeys, recoveryCodes, phone, ssfStreams, backchannelLogouts];
