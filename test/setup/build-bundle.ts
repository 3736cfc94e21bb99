/**
 * Jest's global set-up: builds `dist/index.js` (`npm run build`, well under a second with esbuild) before any test
 * runs, so the integration tests never drive a bundle older than the source.
 */
import { execFileSync } from 'child_process'
import * as path from 'path'

export default function buildBundle(): void {
    execFileSync('npm', ['run', '--silent', 'build'], {
        cwd: path.resolve(__dirname, '..', '..'),
        stdio: ['ignore', 'inherit', 'inherit'],
    })
}
