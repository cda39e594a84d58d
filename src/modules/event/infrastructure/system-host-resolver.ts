import { lookup } from 'dns/promises';
import { Injectable } from '@nestjs/common';
import type { HostResolver } from '../application/ports';

/** The operating system's resolver (getaddrinfo), every address of the name. */
@Injectable()
export class SystemHostResolver implements HostResolver {
  async resolve(host: string): Promise<string[]> {
    const addresses = await lookup(host, { all: true, verbatim: true });
    return addresses.map((entry) => entry.address);
  }
}
