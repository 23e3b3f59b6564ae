// `node --import asyncsan/register app.js`: the whole-program tracer for one process.
import '@asyncsan/tracer/register';
