import type {
  DataReplicationState,
  EC2InstanceState,
  InitiatedBy,
  Job,
  JobStatus,
  JobType,
  LastLaunchResult,
  LaunchStatus,
  RecoveryInstance,
  SourceServer,
} from '@aws-sdk/client-drs';

/**
 * The DRS model's records (source servers, jobs, recovery instances) and how they are answered
 * in the SDK's shapes. Kept apart from the operations so the shapes can be read in one place.
 */

export interface ServerRecord {
  /** Creation order: the stable cursor of DescribeSourceServers pages. */
  readonly sequence: number;
  readonly id: string;
  readonly arn: string;
  readonly hostname: string;
  readonly tags: Record<string, string>;
  readonly addedAt: number;
  replicationState: DataReplicationState;
  lastLaunch:
    | { readonly jobID: string; readonly at: number; readonly drill: boolean; status: LaunchStatus }
    | undefined;
  lastLaunchResult: LastLaunchResult;
  recoveryInstanceId: string | undefined;
  /** Ids of the PENDING/STARTED launch jobs this server takes part in. */
  readonly activeJobs: Set<string>;
}

export interface ParticipantRecord {
  readonly sourceServerID: string;
  launchStatus: LaunchStatus;
  recoveryInstanceID: string | undefined;
}

export interface JobRecord {
  readonly sequence: number;
  readonly id: string;
  readonly arn: string;
  readonly type: JobType;
  readonly initiatedBy: InitiatedBy;
  readonly createdAt: number;
  readonly isDrill: boolean;
  readonly tags: Record<string, string>;
  readonly participants: ParticipantRecord[];
  status: JobStatus;
  endedAt: number | undefined;
}

export interface InstanceRecord {
  readonly sequence: number;
  readonly id: string;
  readonly arn: string;
  readonly jobID: string;
  readonly sourceServerID: string;
  readonly isDrill: boolean;
  readonly tags: Record<string, string>;
  readonly launchedAt: number;
  state: EC2InstanceState;
}

function iso(time: number): string {
  return new Date(time).toISOString();
}

/** ISO-8601 duration in whole seconds, as DRS reports replication durations. */
function duration(ms: number): string {
  return `PT${Math.max(0, Math.floor(ms / 1000))}S`;
}

export function isActive(job: JobRecord): boolean {
  return job.status === 'PENDING' || job.status === 'STARTED';
}

export function jobOf(job: JobRecord): Job {
  return {
    jobID: job.id,
    arn: job.arn,
    type: job.type,
    initiatedBy: job.initiatedBy,
    creationDateTime: iso(job.createdAt),
    ...(job.endedAt === undefined ? {} : { endDateTime: iso(job.endedAt) }),
    status: job.status,
    participatingServers: job.participants.map((participant) => ({
      sourceServerID: participant.sourceServerID,
      launchStatus: participant.launchStatus,
      ...(participant.recoveryInstanceID === undefined
        ? {}
        : { recoveryInstanceID: participant.recoveryInstanceID }),
    })),
    tags: { ...job.tags },
  };
}

export function sourceServerOf(server: ServerRecord, now: number): SourceServer {
  const launch = server.lastLaunch;
  return {
    sourceServerID: server.id,
    arn: server.arn,
    tags: { ...server.tags },
    ...(server.recoveryInstanceId === undefined
      ? {}
      : { recoveryInstanceId: server.recoveryInstanceId }),
    lastLaunchResult: server.lastLaunchResult,
    dataReplicationInfo: {
      dataReplicationState: server.replicationState,
      lagDuration: 'PT0S',
      replicatedDisks: [],
    },
    lifeCycle: {
      addedToServiceDateTime: iso(server.addedAt),
      firstByteDateTime: iso(server.addedAt),
      elapsedReplicationDuration: duration(now - server.addedAt),
      lastSeenByServiceDateTime: iso(now),
      ...(launch === undefined
        ? {}
        : {
            lastLaunch: {
              initiated: {
                apiCallDateTime: iso(launch.at),
                jobID: launch.jobID,
                type: launch.drill ? 'DRILL' : 'RECOVERY',
              },
              status: launch.status,
            },
          }),
    },
    sourceProperties: {
      lastUpdatedDateTime: iso(server.addedAt),
      recommendedInstanceType: 'm5.large',
      identificationHints: {
        hostname: server.hostname,
        fqdn: `${server.hostname}.example.internal`,
      },
    },
    replicationDirection: 'FAILOVER',
  };
}

export function recoveryInstanceOf(instance: InstanceRecord): RecoveryInstance {
  return {
    recoveryInstanceID: instance.id,
    ec2InstanceID: instance.id,
    ec2InstanceState: instance.state,
    jobID: instance.jobID,
    sourceServerID: instance.sourceServerID,
    arn: instance.arn,
    tags: { ...instance.tags },
    isDrill: instance.isDrill,
    pointInTimeSnapshotDateTime: iso(instance.launchedAt),
    originEnvironment: 'ON_PREMISES',
  };
}
