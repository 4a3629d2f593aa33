import { StopTaskCommand } from '@aws-sdk/client-ecs';
import { describe, expect, it } from 'vitest';
import { TaskStarterMetricNames as M } from '../../../src/task-starter/contract.js';
import { Elbv2Model } from '../../../src/simulation/models/elbv2.js';
import { EventBridgeModel } from '../../../src/simulation/models/eventbridge.js';
import { VirtualClock } from '../../../src/simulation/virtual-clock.js';
import {
  FUNCTION_NAMES,
  SIMULATION_REGION,
  createTaskStarterDeployment,
} from '../../../src/task-starter/simulator/deployment.js';

describe('task starter: end to end in the simulation', () => {
  it('starts a task from an event, registers it when RUNNING and deregisters it when it stops', async () => {
    // Prepare
    const d = createTaskStarterDeployment({ startMs: 40_000 });
    // Act
    d.sendStartEvent({});
    await d.clock.advance(30_000);
    const whilePending = d.models.elbv2.targetHealth(d.targetGroups.web);
    await d.clock.advance(20_000);
    const whileRunning = d.models.elbv2.targetHealth(d.targetGroups.web);
    const [taskArn] = d.models.ecs.taskArns();
    await d.clock.run(() =>
      d.deps.clients.ecs.send(new StopTaskCommand({ cluster: d.clusterArn, task: taskArn })),
    );
    await d.clock.advance(30_000);
    const afterStop = d.models.elbv2.targetHealth(d.targetGroups.web);
    // Assess
    expect(whilePending).toEqual([]);
    expect(whileRunning).toHaveLength(1);
    expect(afterStop.every((t) => t.TargetHealth?.State === 'draining')).toBe(true);
    expect(d.metrics.sum(M.tasksStarted)).toBe(1);
    expect(d.metrics.sum(M.tasksRegistered)).toBe(1);
    expect(d.metrics.sum(M.tasksDeregistered)).toBe(1);
    expect(d.deadLetters).toEqual([]);
    expect(d.runtime.invocations(FUNCTION_NAMES.start)).toHaveLength(1);
    // Registration came from the task's own events: short invocations, no waiting.
    for (const record of d.runtime.invocations()) expect(record.durationMs).toBeLessThan(1_000);
  });

  it('runs on a clock and EventBridge shared with another capability', async () => {
    // Prepare
    const clock = VirtualClock.create();
    const eventBridge = new EventBridgeModel({ clock, region: SIMULATION_REGION });
    const elbv2 = new Elbv2Model({ clock, region: SIMULATION_REGION });
    elbv2.addTargetGroup({ name: 'web', targetType: 'ip' });
    const d = createTaskStarterDeployment({
      shared: { clock, eventBridge, elbv2 },
      namePrefix: 'ts-',
      startMs: 20_000,
    });
    // Act
    d.sendStartEvent({});
    await clock.advance(25_000);
    // Assess
    expect(d.clock).toBe(clock);
    expect(elbv2.targetHealth(d.targetGroups.web)).toHaveLength(1);
    expect(d.targetGroups.web).toContain('targetgroup/ts-web/');
  });
});
