import type { HttpHandler, HttpRequest } from '@smithy/protocol-http';
import { HttpResponse } from '@smithy/protocol-http';

export interface ScriptedResponse {
  readonly status: number;
  readonly body: string;
  readonly headers?: Record<string, string>;
}

/**
 * A terminal `requestHandler` for SDK v3 clients: answers every HTTP request from a script, so
 * the whole middleware stack (serialise, sign, SDK retry slot, deserialise) really runs.
 */
export class ScriptedHttpHandler implements HttpHandler {
  readonly requests: HttpRequest[] = [];

  constructor(private readonly script: (call: number, request: HttpRequest) => ScriptedResponse) {}

  get calls(): number {
    return this.requests.length;
  }

  handle(request: HttpRequest): Promise<{ response: HttpResponse }> {
    this.requests.push(request);
    const answer = this.script(this.requests.length, request);
    return Promise.resolve({
      response: new HttpResponse({
        statusCode: answer.status,
        headers: { 'content-type': 'text/xml', ...answer.headers },
        body: Buffer.from(answer.body),
      }),
    });
  }

  updateHttpClientConfig(): void {}

  httpHandlerConfigs(): Record<string, never> {
    return {};
  }
}

/** ELBv2 (AWS Query protocol) error document. */
export function queryError(code: string, status: number, type = 'Sender'): ScriptedResponse {
  return {
    status,
    body:
      `<ErrorResponse><Error><Type>${type}</Type><Code>${code}</Code>` +
      `<Message>${code} from the test</Message></Error><RequestId>req-${code}</RequestId>` +
      '</ErrorResponse>',
  };
}

/** A successful, empty DescribeRules answer. */
export const describeRulesOk: ScriptedResponse = {
  status: 200,
  body:
    '<DescribeRulesResponse xmlns="http://elasticloadbalancing.amazonaws.com/doc/2015-12-01/">' +
    '<DescribeRulesResult><Rules/></DescribeRulesResult>' +
    '<ResponseMetadata><RequestId>req-ok</RequestId></ResponseMetadata></DescribeRulesResponse>',
};
