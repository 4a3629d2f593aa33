import { BlockList, isIPv4 } from 'node:net';
import { SimulationConfigError } from '../errors.js';

/**
 * The network side of ECS placement, as pure functions: IPv4 addresses in a subnet (for awsvpc
 * ENIs) and host ports on a container instance (for bridge and host mode).
 *
 * Address arithmetic is hand-written: `node:net` offers `BlockList` (containment, used here)
 * but no way to enumerate a CIDR's addresses, and the project has no IP library dependency.
 */

/** The ephemeral range ECS draws dynamic host ports from (Docker ≥ 1.6 on Linux). */
export const DYNAMIC_PORT_MIN = 49_153;
export const DYNAMIC_PORT_MAX = 65_535;
/** Ports the ECS agent reserves on every container instance. */
export const RESERVED_HOST_PORTS: readonly number[] = [22, 2375, 2376, 51_678, 51_679];

export interface Cidr {
  /** The network address as an unsigned 32-bit integer. */
  readonly base: number;
  readonly prefix: number;
  readonly text: string;
}

export function ipToInt(ip: string): number {
  return ip.split('.').reduce((acc, octet) => acc * 256 + Number(octet), 0);
}

export function intToIp(value: number): string {
  return [24, 16, 8, 0].map((shift) => Math.floor(value / 2 ** shift) % 256).join('.');
}

/** Parses `a.b.c.d/n`; `owner` names the caller in the configuration error. */
export function parseCidr(owner: string, text: string): Cidr {
  const [ip, prefixText, ...rest] = text.split('/');
  const prefix = Number(prefixText);
  if (rest.length > 0 || !isIPv4(ip) || !Number.isInteger(prefix) || prefix < 16 || prefix > 28) {
    throw new SimulationConfigError(
      `${owner}: CIDR must be an IPv4 block with a prefix /16–/28 (as VPC subnets allow), got '${text}'.`,
    );
  }
  const size = 2 ** (32 - prefix);
  const base = ipToInt(ip) - (ipToInt(ip) % size);
  return { base, prefix, text: `${intToIp(base)}/${prefix}` };
}

/** True when `ip` (IPv4) lies in `cidr`. */
export function cidrContains(cidr: Cidr, ip: string): boolean {
  if (!isIPv4(ip)) return false;
  const list = new BlockList();
  list.addSubnet(intToIp(cidr.base), cidr.prefix, 'ipv4');
  return list.check(ip, 'ipv4');
}

/**
 * The lowest free address of a subnet, skipping what AWS reserves in every subnet (the first
 * four addresses and the last one); undefined when the subnet is full.
 */
export function nextFreeAddress(cidr: Cidr, used: ReadonlySet<string>): string | undefined {
  const size = 2 ** (32 - cidr.prefix);
  for (let offset = 4; offset < size - 1; offset++) {
    const ip = intToIp(cidr.base + offset);
    if (!used.has(ip)) return ip;
  }
  return undefined;
}

export interface PortMappingSpec {
  readonly containerName: string;
  readonly containerPort: number;
  /** As in the task definition: undefined or 0 asks for a dynamic port in bridge mode. */
  readonly hostPort: number | undefined;
  readonly protocol: 'tcp' | 'udp';
}

export interface HostBinding {
  readonly containerName: string;
  readonly containerPort: number;
  readonly hostPort: number;
  readonly protocol: 'tcp' | 'udp';
}

/**
 * Host ports for a task's mappings on an instance whose ports `used` are taken: bridge mode
 * takes the fixed host port or the lowest free dynamic one, host mode binds the container
 * port itself. Undefined when a port is taken (ECS then reports `RESOURCE:PORTS`).
 */
export function assignHostPorts(
  networkMode: 'bridge' | 'host',
  mappings: readonly PortMappingSpec[],
  used: ReadonlySet<number>,
): HostBinding[] | undefined {
  const taken = new Set(used);
  const bindings: HostBinding[] = [];
  for (const mapping of mappings) {
    const fixed = networkMode === 'host' ? mapping.containerPort : mapping.hostPort;
    let hostPort: number | undefined;
    if (fixed !== undefined && fixed !== 0) {
      hostPort = taken.has(fixed) || RESERVED_HOST_PORTS.includes(fixed) ? undefined : fixed;
    } else {
      for (let port = DYNAMIC_PORT_MIN; port <= DYNAMIC_PORT_MAX; port++) {
        if (!taken.has(port)) {
          hostPort = port;
          break;
        }
      }
    }
    if (hostPort === undefined) return undefined;
    taken.add(hostPort);
    bindings.push({
      containerName: mapping.containerName,
      containerPort: mapping.containerPort,
      hostPort,
      protocol: mapping.protocol,
    });
  }
  return bindings;
}
