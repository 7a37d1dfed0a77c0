#!/usr/bin/env node
// The rolegate command: runs the compiled CLI (npm run build emits dist/bin/rolegate.js).
import "../dist/bin/rolegate.js";
