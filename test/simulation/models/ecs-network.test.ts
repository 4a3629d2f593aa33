import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  DYNAMIC_PORT_MIN,
  assignHostPorts,
  cidrContains,
  intToIp,
  ipToInt,
  nextFreeAddress,
  parseCidr,
  type PortMappingSpec,
} from '../../../src/simulation/models/ecs-network.js';

const mapping = (containerPort: number, hostPort?: number): PortMappingSpec => ({
  containerName: 'app',
  containerPort,
  hostPort,
  protocol: 'tcp',
});

describe('ecs network: addresses', () => {
  it('normalises a CIDR to its network address and refuses what a VPC subnet cannot be', () => {
    expect(parseCidr('t', '10.0.1.77/24').text).toBe('10.0.1.0/24');
    expect(() => parseCidr('t', '10.0.0.0/8')).toThrow(/\/16–\/28/);
    expect(() => parseCidr('t', '10.0.0/24')).toThrow(/IPv4 block/);
    expect(() => parseCidr('t', '10.0.0.0/24/1')).toThrow(/IPv4 block/);
  });

  it('skips the five addresses AWS reserves and reports a full subnet', () => {
    // Prepare
    const cidr = parseCidr('t', '192.168.0.0/28');
    const used = new Set<string>();
    // Act
    const handed: string[] = [];
    for (let ip = nextFreeAddress(cidr, used); ip !== undefined; ip = nextFreeAddress(cidr, used)) {
      handed.push(ip);
      used.add(ip);
    }
    // Assess
    expect(handed[0]).toBe('192.168.0.4');
    expect(handed.at(-1)).toBe('192.168.0.14');
    expect(handed).toHaveLength(11);
  });

  it('property: every address handed out lies in the subnet and is new', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 2 ** 32 - 1 }),
        fc.integer({ min: 22, max: 28 }),
        fc.integer({ min: 1, max: 40 }),
        (base, prefix, count) => {
          const cidr = parseCidr('t', `${intToIp(base)}/${prefix}`);
          const used = new Set<string>();
          for (let i = 0; i < count; i++) {
            const ip = nextFreeAddress(cidr, used);
            if (ip === undefined) break;
            expect(cidrContains(cidr, ip)).toBe(true);
            expect(used.has(ip)).toBe(false);
            used.add(ip);
          }
        },
      ),
      { numRuns: 50 },
    );
  });

  it('property: ipToInt and intToIp are inverse', () => {
    fc.assert(
      fc.property(fc.ipV4(), (ip) => {
        expect(intToIp(ipToInt(ip))).toBe(ip);
      }),
      { numRuns: 100 },
    );
  });

  it('says an address that is not IPv4 is in no block', () => {
    expect(cidrContains(parseCidr('t', '10.0.0.0/16'), 'not-an-ip')).toBe(false);
  });
});

describe('ecs network: host ports', () => {
  it('takes the lowest free dynamic port in bridge mode and the fixed port when given', () => {
    // Act
    const bindings = assignHostPorts(
      'bridge',
      [mapping(80), mapping(81, 0), mapping(82, 8082)],
      new Set([DYNAMIC_PORT_MIN]),
    );
    // Assess
    expect(bindings?.map((b) => b.hostPort)).toEqual([
      DYNAMIC_PORT_MIN + 1,
      DYNAMIC_PORT_MIN + 2,
      8082,
    ]);
  });

  it('binds the container port in host mode, and refuses taken and agent-reserved ports', () => {
    expect(assignHostPorts('host', [mapping(443)], new Set())?.[0].hostPort).toBe(443);
    expect(assignHostPorts('host', [mapping(443)], new Set([443]))).toBeUndefined();
    expect(assignHostPorts('bridge', [mapping(80, 51678)], new Set())).toBeUndefined();
  });

  it('runs out of dynamic ports when the whole range is taken', () => {
    const all = new Set<number>();
    for (let port = DYNAMIC_PORT_MIN; port <= 65_535; port++) all.add(port);
    expect(assignHostPorts('bridge', [mapping(80)], all)).toBeUndefined();
  });

  it('property: bindings never reuse a port, in use or within the task', () => {
    fc.assert(
      fc.property(
        fc.uniqueArray(fc.integer({ min: 1, max: 65_535 }), { maxLength: 20 }),
        fc.array(fc.integer({ min: DYNAMIC_PORT_MIN, max: DYNAMIC_PORT_MIN + 30 }), {
          maxLength: 20,
        }),
        (containerPorts, inUse) => {
          const used = new Set(inUse);
          const bindings = assignHostPorts(
            'bridge',
            containerPorts.map((p) => mapping(p)),
            used,
          );
          const ports = (bindings ?? []).map((b) => b.hostPort);
          expect(new Set(ports).size).toBe(ports.length);
          for (const port of ports) expect(used.has(port)).toBe(false);
        },
      ),
      { numRuns: 50 },
    );
  });
});
