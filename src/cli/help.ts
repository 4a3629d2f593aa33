/** Help texts of `opskit`. Planned commands are listed as such: they do not run yet. */
import { LoadSheddingDefaults, MAX_DELAY_SECONDS } from '../load-shedding/contract.js';

export const TOP_HELP = `Usage: opskit <command> [options]

Local tools for aws-ops-kit: simulators that run the kit's real Lambda handlers against
in-memory AWS models on virtual time. Nothing is sent to AWS.

Commands:
  simulate load-shedding   simulate ALB target group load shedding under a traffic spike

Planned (not available yet):
  demo                     a local end-to-end demo
  simulate drs             disaster-recovery job throttling
  workflow run             run an S3 workflow locally
  synth                    synthesize the reference CDK app (use 'npm run synth' today)

Options:
  -h, --help       show this help
  -v, --version    print the kit's version

Run 'opskit <command> --help' for a command's options.
`;

export const SIMULATE_HELP = `Usage: opskit simulate <capability> [options]

Capabilities:
  load-shedding    ALB target group load shedding (the LoadShedding construct's handlers)

Planned (not available yet):
  drs              disaster-recovery job throttling

Run 'opskit simulate <capability> --help' for its options.
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
