// The linked-agency API (seed 001 steps 16–20, docs/agency-link-api.md) called as an agency's
// system calls it: from the address 資訊服務司 assigned, with the 密碼表 in the headers and a
// token `huji agency-token` signs with the key of the certificate handed over at step 11.
// scripts/test.sh gives the portal a loopback pool for the API Gateway addresses
// (HUJI_LINK_SERVER_POOL), so that this machine can really call from an assigned address.
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { request } from 'node:http';
import { expect } from '@playwright/test';

export type Operation = 'connection_test' | 'person_query';

const PATHS: Record<Operation, string> = {
  connection_test: '/integration/agency/v1/connection-test',
  person_query: '/integration/agency/v1/person-query',
};

/** What the agency holds once its case has come through step 14. */
export interface LinkCredentials {
  user: string;
  password: string;
  issKey: string;
}

/** The API's answer: its HTTP status and JSON body. */
export interface LinkAnswer {
  status: number;
  code: string;
  data?: Record<string, unknown>;
}

function setting(name: string): string {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set: scripts/test.sh sets it`);
  return value;
}

/** The agency link certificate (PEM) scripts/demo-cards.sh made for 臺北市政府警察局. */
export function linkCertificate(): string {
  return readFileSync(setting('HUJI_E2E_LINK_CERT'), 'utf8');
}

/** A token for one call of `op`, signed by `huji agency-token` (the documented client). */
export function agencyToken(credentials: LinkCredentials, op: Operation): string {
  return execFileSync(setting('HUJI_E2E_HUJI'), [
    'agency-token',
    '--user',
    credentials.user,
    '--iss-key',
    credentials.issKey,
    '--key',
    setting('HUJI_E2E_LINK_KEY'),
    '--op',
    op,
  ])
    .toString()
    .trim();
}

/**
 * Calls `op` from the local address `from` (a loopback address: the connection's peer is
 * really that address), signed afresh, with `body` as JSON if given.
 */
export async function callLink(
  credentials: LinkCredentials,
  op: Operation,
  from: string,
  body?: unknown,
): Promise<LinkAnswer> {
  const base = new URL(setting('HUJI_BASE_URL'));
  const payload = body === undefined ? '' : JSON.stringify(body);
  const headers: Record<string, string> = {
    Authorization: `Bearer ${agencyToken(credentials, op)}`,
    'X-Agency-User': credentials.user,
    'X-Agency-Password': credentials.password,
    'Content-Length': String(Buffer.byteLength(payload)),
  };
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  const { status, text } = await new Promise<{ status: number; text: string }>((resolve, reject) => {
    const call = request(
      {
        host: base.hostname,
        port: base.port,
        path: PATHS[op],
        method: 'POST',
        localAddress: from,
        headers,
      },
      (response) => {
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.on('end', () =>
          resolve({ status: response.statusCode ?? 0, text: Buffer.concat(chunks).toString('utf8') }),
        );
      },
    );
    call.on('error', reject);
    call.end(payload);
  });
  const answer = JSON.parse(text) as { code: string; data?: Record<string, unknown> };
  expect(answer.code, text).toMatch(/^HJL\d{4}$/);
  return { status, code: answer.code, data: answer.data };
}
