#!/usr/bin/env node
// The compiled command; `npm ci` builds it (the root package's prepare script).
import '../dist/main.js';
