import { clientKey } from './rate-limit';

describe('clientKey', () => {
  it('counts IPv4 and IPv4-mapped clients by their address, IPv6 clients by their /56', () => {
    expect(clientKey('203.0.113.7')).toBe('203.0.113.7');
    expect(clientKey('::ffff:203.0.113.7')).toBe('203.0.113.7');
    expect(clientKey('2001:db8:abcd:12ff::1')).toBe('2001:db8:abcd:1200::/56');
    expect(clientKey('2001:db8:abcd:12aa:5:6:7:8')).toBe(clientKey('2001:db8:abcd:12ff::1'));
    expect(clientKey('2001:db8:abcd:1300::1')).not.toBe(clientKey('2001:db8:abcd:12ff::1'));
  });
});
