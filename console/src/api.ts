// The Step Functions API as the AWS SDKs call it: POST / with AWS JSON 1.0.
export class ApiError extends Error {
  constructor(
    readonly type: string,
    message: string,
  ) {
    super(message);
  }
}

export async function call<T = any>(operation: string, body: object = {}): Promise<T> {
  const response = await fetch('/', {
    method: 'POST',
    headers: {
      'Content-Type': 'application/x-amz-json-1.0',
      'X-Amz-Target': `AWSStepFunctions.${operation}`,
    },
    body: JSON.stringify(body),
  });
  const text = await response.text();
  const parsed = text ? JSON.parse(text) : {};
  if (!response.ok) {
    const type = String(parsed.__type ?? 'Error').split('#').pop()!;
    throw new ApiError(type, `${type}: ${parsed.message ?? parsed.Message ?? response.statusText}`);
  }
  return parsed as T;
}

// Every page of a paginated list operation.
export async function listAll<T>(operation: string, key: string, body: object = {}): Promise<T[]> {
  const items: T[] = [];
  let nextToken: string | undefined;
  do {
    const page: any = await call(operation, { ...body, maxResults: 1000, nextToken });
    items.push(...(page[key] ?? []));
    nextToken = page.nextToken;
  } while (nextToken);
  return items;
}

export interface HistoryEvent {
  id: number;
  previousEventId: number;
  timestamp: number;
  type: string;
  [details: string]: any;
}

// The details member of an event ("stateEnteredEventDetails", ...), if any.
export function eventDetails(event: HistoryEvent): Record<string, any> | undefined {
  for (const [key, value] of Object.entries(event)) {
    if (key.endsWith('EventDetails')) return value;
  }
  return undefined;
}

export const STATUSES = ['RUNNING', 'SUCCEEDED', 'FAILED', 'TIMED_OUT', 'ABORTED', 'PENDING_REDRIVE'];
