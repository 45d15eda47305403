#!/usr/bin/env node
'use strict';
// Launcher: maps the @throughline/* aliases onto the compiled tree, then runs the CLI.
const path = require('node:path');
const dist = path.join(__dirname, '..', 'dist');
require('tsconfig-paths').register({ baseUrl: dist, paths: { '@throughline/*': ['libs/*/src'] } });
// Tracing, when an OTLP endpoint is set, patches http and pg: before anything loads them.
const { version } = require(path.join(__dirname, '..', 'package.json'));
require(path.join(dist, 'libs', 'platform', 'src', 'tracing.js')).startTracing(version);
require(path.join(dist, 'apps', 'cli', 'src', 'main.js'));
