import { CfnOutput, Token } from 'aws-cdk-lib';
import { EventBus, type EventBusProps } from 'aws-cdk-lib/aws-events';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import { Construct } from 'constructs';
import { ENV } from '../lambda/shared/config.js';
import { EVENTBRIDGE_MAX_ENTRY_BYTES, JOB_EVENT_BUS_OUTPUT } from '../lambda/shared/job-events.js';

/** Props of {@link JobEvents}. */
export interface JobEventsProps {
  /**
   * The bus's own settings (name, description, dead-letter queue, KMS key).
   * @default a bus named by CloudFormation after the stack and this construct
   */
  readonly busProps?: EventBusProps;
  /**
   * The largest job event in bytes, as EventBridge counts them; a result that
   * would take an event over it is left out and the event says so. From 256
   * bytes to 1 MiB (EventBridge's limit); events are billed per 64 KB.
   * @default 65,536 - one billing chunk
   */
  readonly maxEventBytes?: number;
  /**
   * The stack output that names the bus, for users' rules and `qw events`.
   * @default 'JobEventBusName'
   */
  readonly outputId?: string;
}

/**
 * The stack's own event bus, which receives one `Job Succeeded` or `Job
 * Failed` event (source `queue-workers`) per finished job. Users attach rules
 * with their own targets to it; the stack outputs its name. Functions that
 * announce finished jobs get only `events:PutEvents` on this bus, and the
 * variables that name it, through {@link grantPublish}.
 */
export class JobEvents extends Construct {
  public readonly bus: EventBus;
  private readonly maxEventBytes: number | undefined;

  constructor(scope: Construct, id: string, props: JobEventsProps = {}) {
    super(scope, id);
    const max = props.maxEventBytes;
    if (
      max !== undefined &&
      !Token.isUnresolved(max) &&
      !(Number.isInteger(max) && max >= 256 && max <= EVENTBRIDGE_MAX_ENTRY_BYTES)
    ) {
      throw new Error(
        `JobEvents maxEventBytes is ${max}; use a whole number of bytes from 256 to ${EVENTBRIDGE_MAX_ENTRY_BYTES} (EventBridge's limit per event), or leave it out for 65,536.`,
      );
    }
    this.maxEventBytes = max;
    this.bus = new EventBus(this, 'Bus', {
      description: 'queue-workers job events: Job Succeeded and Job Failed, one per finished job',
      ...props.busProps,
    });
    new CfnOutput(scope, props.outputId ?? JOB_EVENT_BUS_OUTPUT, {
      value: this.bus.eventBusName,
      description: 'The bus with the job events; attach your rules to it.',
    });
  }

  /** Lets `fn` put events on the bus (and nothing else), and tells it the bus and the size limit. */
  grantPublish(fn: IFunction & { addEnvironment(key: string, value: string): unknown }): void {
    this.bus.grantPutEventsTo(fn);
    fn.addEnvironment(ENV.eventBusName, this.bus.eventBusName);
    if (this.maxEventBytes !== undefined) fn.addEnvironment(ENV.maxEventBytes, String(this.maxEventBytes));
  }
}
