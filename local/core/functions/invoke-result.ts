/** The outcome of one invocation, as the Lambda service reports it to its caller. */
export type InvokeResult =
  | { readonly ok: true; readonly payload: unknown; readonly durationMs: number }
  | {
      readonly ok: false;
      readonly errorType: string;
      readonly errorMessage: string;
      /** The invocation ran past the function's timeout and was stopped. */
      readonly timedOut: boolean;
      readonly durationMs: number;
    };
