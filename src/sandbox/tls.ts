/**
 * A certificate for the sandbox's https services (only where a client insists on https, as
 * PagerDuty's pdjs does), made when the sandbox starts with the system's openssl: a self-signed
 * certificate for 127.0.0.1 that is its own CA. The PEM is written to a file the client is told
 * about (AEGIS_DR_EXTRA_CA); nothing is installed in the system's trust store.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

export interface SandboxTls {
  key: Buffer;
  cert: Buffer;
  /** The PEM file of the certificate, to trust it (AEGIS_DR_EXTRA_CA). */
  caFile: string;
  dir: string;
}

export function makeTls(parent?: string): SandboxTls {
  const dir = fs.mkdtempSync(path.join(parent ?? os.tmpdir(), 'tls-'));
  const keyFile = path.join(dir, 'key.pem');
  const certFile = path.join(dir, 'ca.pem');
  try {
    execFileSync(
      'openssl',
      [
        'req',
        '-x509',
        '-newkey',
        'ec',
        '-pkeyopt',
        'ec_paramgen_curve:prime256v1',
        '-nodes',
        '-keyout',
        keyFile,
        '-out',
        certFile,
        '-days',
        '2',
        '-subj',
        '/CN=aegis-dr sandbox',
        '-addext',
        'subjectAltName=IP:127.0.0.1,DNS:localhost',
        '-addext',
        'basicConstraints=critical,CA:TRUE',
      ],
      { stdio: 'pipe' },
    );
  } catch (err) {
    throw new Error(
      `the sandbox needs openssl to make the certificate of its https services (PagerDuty): ${(err as Error).message.split('\n')[0]}; install it (Debian: apt-get install -y openssl).`,
      { cause: err },
    );
  }
  return { key: fs.readFileSync(keyFile), cert: fs.readFileSync(certFile), caFile: certFile, dir };
}
