import 'reflect-metadata';
import { runCli } from './cli/run-cli';

runCli(process.argv.slice(2)).then((exitCode) => {
  process.exitCode = exitCode;
});
