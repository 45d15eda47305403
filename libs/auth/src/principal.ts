/** Who is calling: a person in an agency role, or an agency system bound to its source URIs. */
export interface Principal {
  readonly kind: 'person' | 'system';
  /** The user id (person) or system id. */
  readonly id: string;
  readonly agency: string;
  readonly role: string;
  /** Source URIs a system may publish from; empty for people. */
  readonly sources: readonly string[];
}

export interface TokenRequest {
  readonly agency: string;
  readonly role?: string;
  readonly user?: string;
  readonly system?: boolean;
  readonly sources?: readonly string[];
  /** Lifetime in seconds. */
  readonly ttlSeconds?: number;
}
