// The same protected route built with the peers: koa-jwt, or passport-jwt through
// koa-passport, on the same Koa stack. They only verify the token: no revocation check and no
// user lookup (the demo does both), so they do strictly less work per request.
import Router from '@koa/router';
import jwt from 'jsonwebtoken';
import Koa from 'koa';
import koaJwt from 'koa-jwt';
import passport from 'koa-passport';
import { ExtractJwt, Strategy as JwtStrategy } from 'passport-jwt';
import type { ServerReady } from './bench-server-protocol';
import { BENCH_SECRET, answerCpuRequests } from './bench-server-protocol';

const app = new Koa();
const router = new Router();
router.get('/health', (ctx) => {
  ctx.body = { status: 'ok' };
});

if (process.env['BENCH_PEER'] === 'koa-jwt') {
  router.get('/users/me', koaJwt({ secret: BENCH_SECRET, algorithms: ['HS256'] }), (ctx) => {
    ctx.body = { sub: (ctx.state as { user: { sub: string } }).user.sub };
  });
} else {
  passport.use(
    new JwtStrategy(
      {
        jwtFromRequest: ExtractJwt.fromAuthHeaderAsBearerToken(),
        secretOrKey: BENCH_SECRET,
        algorithms: ['HS256'],
      },
      (payload: { sub: string }, done: (error: null, user: { sub: string }) => void) =>
        done(null, payload),
    ),
  );
  app.use(passport.initialize());
  router.get('/users/me', passport.authenticate('jwt', { session: false }), (ctx) => {
    ctx.body = { sub: (ctx.state as { user: { sub: string } }).user.sub };
  });
}
app.use(router.routes());

const token = jwt.sign({ sub: '2', roles: ['user'] }, BENCH_SECRET, {
  algorithm: 'HS256',
  expiresIn: 1800,
});
answerCpuRequests();
const server = app.listen(0, '127.0.0.1', () => {
  const address = server.address();
  const port = typeof address === 'object' && address !== null ? address.port : 0;
  const ready: ServerReady = { type: 'ready', port, userToken: token, adminToken: token };
  process.send?.(ready);
});
process.on('disconnect', () => server.close(() => process.exit(0)));
