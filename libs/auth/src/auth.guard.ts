import { type CanActivate, type ExecutionContext, Injectable } from '@nestjs/common';
import type { Request } from 'express';
import { ProblemException } from '@throughline/platform';
import type { Principal } from './principal';
import { InvalidTokenError, TokenService } from './token.service';

export interface AuthenticatedRequest extends Request {
  principal?: Principal;
}

/** Authenticates the bearer token; what the principal may see is decided later, per subject. */
@Injectable()
export class AuthGuard implements CanActivate {
  constructor(private readonly tokens: TokenService) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const request = context.switchToHttp().getRequest<AuthenticatedRequest>();
    const header = request.headers.authorization;
    if (!header) throw unauthenticated('No bearer token was sent (Authorization: Bearer <token>)');
    const [scheme, token] = header.split(' ');
    if (scheme?.toLowerCase() !== 'bearer' || !token) {
      throw unauthenticated('The Authorization header must be "Bearer <token>"');
    }
    try {
      request.principal = await this.tokens.verify(token);
    } catch (error) {
      if (error instanceof InvalidTokenError) throw unauthenticated(error.message);
      throw error;
    }
    return true;
  }
}

const unauthenticated = (detail: string): ProblemException =>
  new ProblemException(401, 'unauthenticated', 'Authentication required', detail);
