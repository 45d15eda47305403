import { Module } from '@nestjs/common';
import { AuthGuard } from './auth.guard';
import { TokenService } from './token.service';

@Module({ providers: [TokenService, AuthGuard], exports: [TokenService, AuthGuard] })
export class AuthModule {}
