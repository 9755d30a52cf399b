#!/usr/bin/env node
// Entry point of the `microseg` command. Runs the compiled CLI; after `npm run build`.
import { main } from "../dist/main.js";

process.exitCode = await main(process.argv.slice(2));
