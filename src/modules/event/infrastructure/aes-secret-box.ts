import { createCipheriv, createDecipheriv, randomBytes } from 'crypto';
import { Injectable } from '@nestjs/common';
import { AppConfig } from '../../../config/app-config';
import { signingKey } from '../../../config/signing-key';
import type { SecretBox } from '../application/ports';

const VERSION = 'v1';

/**
 * Endpoint secrets at rest: AES-256-GCM under a key derived from SIGNING_SECRET (HKDF, a purpose of
 * its own), the endpoint id as associated data so that a sealed secret copied to another row does not
 * open. Stored as `v1.<iv>.<tag>.<ciphertext>`, base64url.
 */
@Injectable()
export class AesSecretBox implements SecretBox {
  private readonly key: Buffer;

  constructor(config: AppConfig) {
    this.key = signingKey(config.SIGNING_SECRET, 'webhook endpoint secrets');
  }

  seal(plain: string, context: string): string {
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', this.key, iv);
    cipher.setAAD(Buffer.from(context, 'utf8'));
    const ciphertext = Buffer.concat([cipher.update(plain, 'utf8'), cipher.final()]);
    return [VERSION, iv, cipher.getAuthTag(), ciphertext]
      .map((part) => (typeof part === 'string' ? part : part.toString('base64url')))
      .join('.');
  }

  open(sealed: string, context: string): string {
    const [version, iv, tag, ciphertext] = sealed.split('.');
    if (version !== VERSION || ciphertext === undefined) throw new Error('not a sealed webhook secret');
    const decipher = createDecipheriv('aes-256-gcm', this.key, Buffer.from(iv, 'base64url'));
    decipher.setAAD(Buffer.from(context, 'utf8'));
    decipher.setAuthTag(Buffer.from(tag, 'base64url'));
    return Buffer.concat([decipher.update(Buffer.from(ciphertext, 'base64url')), decipher.final()]).toString(
      'utf8',
    );
  }
}
