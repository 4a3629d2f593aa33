import { describe, expect, it } from 'vitest';
import {
  checkTaskDefinition,
  portMappingsOf,
  reservationOf,
} from '../../../src/simulation/models/ecs-definitions.js';

const identity = {
  arn: 'arn:aws:ecs:eu-west-1:123456789012:task-definition/x:1',
  revision: 1,
  registeredAt: 0,
};

describe('ecs definitions: reservations and port mappings', () => {
  it('reserves the task-level size, else the sum of the containers (memory or reservation)', () => {
    // Prepare
    const sized = checkTaskDefinition(
      {
        family: 'x',
        cpu: '1024',
        memory: '2048',
        containerDefinitions: [{ name: 'a', image: 'i' }],
      },
      identity,
    );
    const summed = checkTaskDefinition(
      {
        family: 'x',
        containerDefinitions: [
          { name: 'a', image: 'i', cpu: 256, memory: 512 },
          { name: 'b', image: 'i', memoryReservation: 128, essential: false },
        ],
      },
      identity,
    );
    // Act / Assess
    expect(reservationOf(sized, {})).toEqual({ cpu: 1024, memory: 2048 });
    expect(reservationOf(sized, { cpu: '512', memory: 'x' })).toEqual({ cpu: 512, memory: 2048 });
    expect(reservationOf(summed, {})).toEqual({ cpu: 256, memory: 640 });
  });

  it('keeps udp mappings and the containers they belong to', () => {
    // Prepare
    const record = checkTaskDefinition(
      {
        family: 'x',
        networkMode: 'bridge',
        containerDefinitions: [
          {
            name: 'dns',
            image: 'i',
            memory: 64,
            portMappings: [
              { containerPort: 53, protocol: 'udp' },
              { containerPort: 8053, hostPort: 8053 },
            ],
          },
        ],
      },
      identity,
    );
    // Act / Assess
    expect(portMappingsOf(record)).toEqual([
      { containerName: 'dns', containerPort: 53, hostPort: 0, protocol: 'udp' },
      { containerName: 'dns', containerPort: 8053, hostPort: 8053, protocol: 'tcp' },
    ]);
    expect(record.compatibilities).toEqual(['EC2']);
  });
});
