/**
 * Microsoft Teams through a Workflows webhook ("Post to a channel when a webhook request is
 * received"): an HTTP POST of a message whose attachment is an Adaptive Card
 * (contentType application/vnd.microsoft.card.adaptive), answered 202 Accepted
 * (https://learn.microsoft.com/en-us/microsoftteams/platform/webhooks-and-connectors/how-to/add-incoming-webhook).
 * The webhook URL carries its own signature, so it is the secret; it never reaches an error text.
 */
import { ProviderError } from '../../engine/errors.js';

export interface CardFact {
  title: string;
  value: string;
}

/** The webhook body: one Adaptive Card 1.4 with a title, the text and the facts. */
export function adaptiveCard(title: string, text: string, facts: CardFact[]): Record<string, unknown> {
  return {
    type: 'message',
    attachments: [
      {
        contentType: 'application/vnd.microsoft.card.adaptive',
        contentUrl: null,
        content: {
          $schema: 'http://adaptivecards.io/schemas/adaptive-card.json',
          type: 'AdaptiveCard',
          version: '1.4',
          body: [
            { type: 'TextBlock', text: title, weight: 'Bolder', size: 'Medium', wrap: true },
            { type: 'TextBlock', text, wrap: true },
            ...(facts.length ? [{ type: 'FactSet', facts }] : []),
          ],
        },
      },
    ],
  };
}

export async function postCard(
  webhookUrl: string,
  card: Record<string, unknown>,
  timeoutMs = 10_000,
): Promise<void> {
  let res: Response;
  try {
    res = await fetch(webhookUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(card),
      signal: AbortSignal.timeout(timeoutMs),
    });
  } catch (err) {
    // the cause may quote the URL: keep only its code
    const code = (err as { cause?: { code?: string } }).cause?.code ?? (err as Error).name;
    throw new ProviderError({
      service: 'teams',
      operation: 'webhook',
      message: `the Teams webhook could not be reached (${code})`,
      code,
      cause: undefined,
    });
  }
  if (res.status >= 300) {
    const text = (await res.text()).slice(0, 200);
    throw new ProviderError({
      service: 'teams',
      operation: 'webhook',
      status: res.status,
      message: `the Teams webhook answered ${res.status}: ${text}`,
      retryAfterMs: res.headers.get('retry-after')
        ? Number(res.headers.get('retry-after')) * 1000
        : undefined,
    });
  }
}
