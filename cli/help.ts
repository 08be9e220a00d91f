/** `qw --help`. */
export const HELP = `qw: operate queue-workers jobs and queues.

Usage:
  qw submit <type> --payload JSON|@file [--wait [--timeout S]] [--idempotency-key K]
  qw status <jobId> [--wait [--timeout S]]
  qw cancel <jobId>                         a waiting job is cancelled; a running one is asked to stop
  qw watch [--once] [--interval S]          queues: visible, in flight, delayed, DLQ, oldest, jobs/s
  qw events [--follow] [--max N]           job events: the last N kept locally; --follow streams them
                                            (on a deployed stack, through a temporary rule and queue)
  qw dlq list <type> [--max N]              dead letters with failure reason and attempt (left in place)
  qw dlq redrive <type> [--max-per-second N] send them back; their jobs go back to queued
  qw dlq purge <type> [--yes]               delete them (asks first)
  qw schedules                              schedules: expression, timezone, state, next firing

Target (default: the local runtime, when \`npm start\` is running):
  --target local|emulator|aws
  --endpoint URL        an emulator (implies --target emulator; default http://127.0.0.1:4566)
  --region R, --profile P   AWS (implies --target aws)
  --stack NAME          the stack on an emulator or AWS (default QueueWorkers)
  --api-key KEY         for a stack deployed with -c auth=apiKey (or QW_API_KEY)
  --state-file FILE     the local runtime's state file (default .qw/local.json; or QW_STATE_FILE)

Output:
  --json                one JSON document per result, for scripts
  -h, --help

Exit codes:
  0 ok   1 unexpected error   2 usage   3 no target (no local runtime, no stack, endpoint down)
  4 no permission   5 unknown job or job type   6 job failed or cancelled (--wait)
  7 refused by the API or SQS (a cancel of a finished job, too)
  8 aborted at the prompt   9 --wait timed out
`;
