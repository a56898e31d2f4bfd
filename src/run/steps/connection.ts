/** connect, initialize, disconnect, force-disconnect, reconnect: the session lifecycle steps. */
import type { StepRunner } from '../context.js';

/** connect and initialize both end with an initialized session (the SDK handshake does both); a no-op when already connected. */
export const connect: StepRunner = async (_step, ctx) => {
  if (ctx.session.state === 'connected') return;
  if (ctx.session.state === 'idle') await ctx.session.connect();
  else await ctx.session.reconnect();
};

export const disconnect: StepRunner = async (_step, ctx) => {
  await ctx.session.disconnect();
};

export const forceDisconnect: StepRunner = async (_step, ctx) => {
  await ctx.session.forceDisconnect();
};

export const reconnect: StepRunner = async (_step, ctx) => {
  await ctx.session.reconnect();
};
