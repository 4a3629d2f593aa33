/** Help texts of `opskit`. Planned commands are listed as such: they do not run yet. */
import { LoadSheddingDefaults, MAX_DELAY_SECONDS } from '../load-shedding/contract.js';

export const TOP_HELP = `Usage: opskit <command> [options]

Local tools for aws-ops-kit: a demo and simulators that run the kit's real Lambda handlers
against in-memory AWS models on virtual time, and the reference app's synthesis. Nothing is
sent to AWS and no credentials are needed, except by 'workflow smoke', which tests a deployed
workflow with your AWS credentials.

Commands:
  demo                     every capability working together, with a timeline and HTML report
  simulate load-shedding   ALB target group load shedding under a traffic spike
  simulate drs             a disaster-recovery drill against throttling DRS with job quotas
  workflow run             run the example S3 workflow's state machine locally
  workflow smoke           smoke-test a deployed S3 workflow (sends to AWS)
  synth                    synthesize the reference CDK app offline, checked by cdk-nag

Options:
  -h, --help       show this help
  -v, --version    print the kit's version

Run 'opskit <command> --help' for a command's options.
`;

export const DEMO_HELP = `Usage: opskit demo [options]

Runs one scenario that shows every capability of aws-ops-kit working together, in virtual
time, through the kit's real handlers and the in-memory AWS simulation (no AWS account):
  1. a traffic spike drives the primary target group's alarm; load shedding moves weight to
     the secondaries step by step;
  2. the same alarm starts extra ECS tasks through the task starter; they register in the
     primary target group; the alarm clears and the weights return to their baseline;
  3. an S3-backed workflow (ETL -> Filter -> Score -> Store -> Reactive) processes a batch;
  4. a DR drill recovers source servers through the rate-limited DRS client while DRS throttles;
  5. every function involved is checked to be a MonitoredFunction, and the alarms that would
     have fired are listed.
Prints progress, a timeline and a summary, and writes a self-contained HTML report.

Options:
  --seed <n>        seed of the run, 0-4294967295 (same seed, same run)
  --html <file>     where to write the HTML report (default opskit-demo-report.html)
  --no-html         write no report
  --json            print the result as JSON (progress goes to stderr)
  -q, --quiet       no progress lines
  -h, --help        show this help

Exit codes: 0 every act reached its expected outcome, 1 some did not, 2 wrong flags.
`;

export const SYNTH_HELP = `Usage: opskit synth [options]

Synthesizes the aws-ops-kit reference app offline: one stack per capability, configured from
the context of a cdk.json (placeholders documented in the README), checked by cdk-nag
AwsSolutions (any unacknowledged finding fails the synthesis). Needs no AWS account; deploy
the result with the CDK CLI ('npx cdk deploy --all').

Options:
  --context <file>    a cdk.json whose "context" configures the stacks (default: the checkout's)
  --out <dir>         the cloud assembly folder (default ./cdk.out)
  --skip-bundling     do not bundle the Lambda handlers (faster; the assembly is not deployable)
  --json              print the stacks as JSON
  -h, --help          show this help

Exit codes: 0 synthesized, 1 synthesis failed (e.g. a cdk-nag finding), 2 wrong flags or file.
`;

export const SIMULATE_HELP = `Usage: opskit simulate <capability> [options]

Capabilities:
  load-shedding    ALB target group load shedding (the LoadShedding construct's handlers)
  drs              a DR drill (the DisasterRecoveryOrchestration construct's execution handler)

Run 'opskit simulate <capability> --help' for its options.
`;

export const DRS_HELP = `Usage: opskit simulate drs [options]

Runs a disaster-recovery drill on virtual time: replicating source servers split into waves,
started by concurrent invocations of the real execution handler (each its own Lambda
container) against a simulated Elastic Disaster Recovery that throttles (10 requests/s per
account by default) and enforces its job quotas (20 concurrent jobs, 100 servers per job, 500
servers in active jobs). Reports launches, quota errors, failed calls, throttles and duration.

Options:
  --servers <n>       source servers to recover, 1-5000 (default 600)
  --waves <n>         waves they are split into, 1-100 (default 5)
  --concurrency <n>   concurrent invocations, 1-50 (default 5)
  --tps <n>           DRS requests per second the account may send, 1-1000 (default 10)
  --seed <n>          seed of the run, 0-4294967295
  --terminate         terminate each wave's recovery instances once launched (clean-up)
  --json              print the full result (with its timeline) as JSON
  -h, --help          show this help

Exit codes: 0 every server launched with no quota error or failed call, 1 otherwise,
2 wrong flags.
`;

const d = LoadSheddingDefaults;

export const LOAD_SHEDDING_HELP = `Usage: opskit simulate load-shedding [options]

Deploys the load-shedding handlers on simulated ELBv2, CloudWatch, EventBridge, SQS and
DynamoDB, plays a traffic scenario minute by minute on virtual time, and reports what the
controller did: a timeline, a summary, and optionally JSON and an HTML chart.

Without --scenario: a 3x spike for 30 minutes on one listener (default rule + 3 rules, one of
them an 80/20 canary), primary capacity 1500 rps against 1000 rps of base load, an alarm on the
primary's 5xx count, and the construct's default parameters.

Options:
  --scenario <file>            a scenario JSON file (every field optional; see --print-scenario)
  --seed <n>                   seed of the traffic noise, 0-4294967295 (default: the scenario's, 1)
  --json                       print the result as JSON instead of the text report
  --html <file>                also write a self-contained HTML report with charts
  --print-scenario             print the effective scenario as JSON and exit
  --duration <minutes>         virtual minutes to simulate, 1-1440 (default 90)
  --capacity <rps>             requests per second the primary serves before failing, >= 0
  --spike-multiplier <x>       the spike's multiplier, above 0 and at most 100 (default 3)
  --shed-percent <n>           points moved per shed step, 1-100 (default ${d.shedPercent})
  --restore-percent <n>        points moved back per restore step, 1-100 (default ${d.restorePercent})
  --max-shed-percent <n>       most the primary gives away, 1-100 (default ${d.maxShedPercent})
  --shed-delay <seconds>       seconds between shed steps, 0-${MAX_DELAY_SECONDS} (default ${d.shedDelaySeconds})
  --restore-delay <seconds>    seconds of OK before and between restore steps, 0-${MAX_DELAY_SECONDS} (default ${d.restoreDelaySeconds})
  --dry-run                    the controller decides and logs but writes nothing to ELBv2
  -h, --help                   show this help

Exit codes: 0 done, 1 the run met errors (listed in the report), 2 wrong flags or scenario.

Examples:
  opskit simulate load-shedding
  opskit simulate load-shedding --spike-multiplier 4 --shed-percent 10 --html report.html
  opskit simulate load-shedding --print-scenario > my.json; opskit simulate load-shedding --scenario my.json --json
`;

export const WORKFLOW_HELP = `Usage: opskit workflow <subcommand> [options]

Subcommands:
  run      run the example S3 workflow's state machine locally (simulated AWS, virtual time)
  smoke    smoke-test a deployed S3 workflow: one message in, the last stage's output awaited
           (sends to AWS with your credentials)

Run 'opskit workflow <subcommand> --help' for its options.
`;
