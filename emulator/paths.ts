import * as path from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository root. */
export const PROJECT_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

/** The project's own executables (Node 24 from the `node` package, the CDK CLI). */
export const PROJECT_BIN = path.join(PROJECT_ROOT, 'node_modules', '.bin');

/** Pins what the project venv holds (ministack, Schemathesis) and their whole dependency tree. */
export const REQUIREMENTS_FILE = path.join(PROJECT_ROOT, 'emulator', 'requirements.txt');

/** The Docker Compose profiles (LocalStack, or ministack's image). */
export const COMPOSE_FILE = path.join(PROJECT_ROOT, 'emulator', 'docker-compose.yml');

/** The project-local Python venv (gitignored): ministack and Schemathesis, as requirements.txt pins them. */
export const VENV_DIR = path.join(PROJECT_ROOT, '.venv');
