// Entry point of bin/deepboard.mjs: the CLI with every command registered.
export { runCli } from './main';
