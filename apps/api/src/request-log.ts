/** What pino-http hands a request serializer: the standard serializer's view of the request. */
interface LoggedRequest {
  readonly id?: unknown;
  readonly method?: string;
  readonly url?: string;
  readonly remoteAddress?: string;
}

/**
 * What each request's log line says of the request and its answer: enough to follow a request
 * (its id, method, path, status), and no headers at all. Headers carry bearer tokens, the web
 * session cookie and the session a sign-in sets, none of which belongs in a log.
 */
export const requestLogSerializers = {
  req: (request: LoggedRequest) => ({
    id: request.id,
    method: request.method,
    url: request.url,
    remoteAddress: request.remoteAddress,
  }),
  res: (response: { readonly statusCode?: number }) => ({ statusCode: response.statusCode }),
};
