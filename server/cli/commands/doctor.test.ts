import { spawnSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { projectRoot } from '@/lib/paths';
import { expectUsageError, fakeIo } from '../test-io';
import { doctorCommand, type DoctorReport } from './doctor';

const dataDir = path.join(tmpdir(), `deepboard-doctor-${process.pid}`);

describe('deepboard doctor', () => {
  it('lists every backend with the reason for those that do not load, benchmarks the rest, and notes the embedded database', async () => {
    const io = fakeIo(tmpdir());
    io.env = { NODE_ENV: 'test', DEEPBOARD_DATA_DIR: dataDir };
    const code = await doctorCommand.run(['--json', '--seconds', '0.3'], io);
    const report = JSON.parse(io.out) as DoctorReport;
    expect(code).toBe(0);
    expect(report.backends.map((b) => b.backend)).toEqual(['node-gpu', 'webgpu', 'node', 'wasm', 'cpu']);
    for (const b of report.backends) {
      if (b.loads) expect(b.device).toBeTruthy();
      else expect(b.reason).toBeTruthy();
    }
    for (const name of ['wasm', 'cpu']) {
      const b = report.backends.find((x) => x.backend === name)!;
      expect(b.loads).toBe(true);
      expect(b.bench).toMatchObject({ model: 'MLP 64-256-256-10', batchSize: 256 });
      expect((b.bench as { samplesPerSec: number }).samplesPerSec).toBeGreaterThan(0);
    }
    expect(report.backends.filter((b) => b.default)).toHaveLength(1);
    const webgpu = report.backends.find((b) => b.backend === 'webgpu')!;
    if (report.gpuAdapters.length === 0) {
      // CPU hosts (CI): skipped with the reason, well inside the probe's 10-second limit.
      expect(webgpu).toMatchObject({ loads: false, reason: expect.stringMatching(/no GPU adapter|not installed|Vulkan/) });
      expect(report.webgpuProbe.reason).toBe(webgpu.reason);
      expect(report.webgpuProbe.ms).toBeLessThan(5000);
    }
    expect(report.database).toMatchObject({ source: 'embedded', reachable: null });
    expect(report.database.note).toContain('DATABASE_URL is not set');
  });

  it('reports an unreachable DATABASE_URL without its password and exits 1', async () => {
    const io = fakeIo(tmpdir());
    io.env = { NODE_ENV: 'test', DATABASE_URL: 'postgresql://deepboard:secret@127.0.0.1:1/deepboard' };
    const code = await doctorCommand.run(['--seconds', '0'], io);
    expect(code).toBe(1);
    expect(io.out).toMatch(/^deepboard doctor — /);
    expect(io.out).toMatch(/^ {2}wasm {6}loads {5}CPU/m);
    expect(io.out).toMatch(/^ {2}webgpu {4}no {8}\S/m);
    expect(io.out).toContain('DATABASE_URL postgresql://deepboard:***@127.0.0.1:1/deepboard: NOT reachable');
    expect(io.out).not.toContain('secret');
    expect(io.out).not.toContain('samples/s');
  });

  it('exits with 2 and one line for bad options', async () => {
    expect((await expectUsageError(doctorCommand, ['--seconds', 'soon'], tmpdir())).message).toBe('--seconds must be a number from 0 to 60 (got "soon")');
    expect((await expectUsageError(doctorCommand, ['--seconds=-1'], tmpdir())).message).toMatch(/^--seconds must be/);
    expect((await expectUsageError(doctorCommand, ['--gpu'], tmpdir())).message).toMatch(/^Unknown option '--gpu'/);
  });

  it('prints nothing but its JSON as a process: the GPU probe and backends leave stdout and stderr clean', () => {
    const res = spawnSync(process.execPath, [path.join(projectRoot(), 'bin', 'deepboard.mjs'), 'doctor', '--json', '--seconds', '0'], {
      encoding: 'utf8',
      env: { NODE_ENV: 'test', PATH: process.env.PATH, HOME: process.env.HOME, DEEPBOARD_DATA_DIR: dataDir },
      timeout: 60_000,
    });
    expect(res.stderr).toBe('');
    expect(res.status).toBe(0);
    expect((JSON.parse(res.stdout) as DoctorReport).backends).toHaveLength(5);
  });
});
