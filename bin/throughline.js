#!/usr/bin/env node
'use strict';
// Launcher: maps the @throughline/* aliases onto the compiled tree, then runs the CLI.
const path = require('node:path');
const dist = path.join(__dirname, '..', 'dist');
require('tsconfig-paths').register({ baseUrl: dist, paths: { '@throughline/*': ['libs/*/src'] } });
require(path.join(dist, 'apps', 'cli', 'src', 'main.js'));
